//! Minimal, panic-free DER TLV walker used to get at the *exact* bytes that were
//! signed (signed attributes, TBSCertificate, certificates inside the CMS set).
//! The `der` crate's SET OF decoding *sorts* elements (der_sort), so re-encoding a
//! decoded structure is not guaranteed to reproduce the original bytes.

#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    /// value bytes (without tag/length)
    pub value: &'a [u8],
    /// the whole TLV (tag + length + value)
    pub raw: &'a [u8],
}

/// Read one definite-length TLV with a single-byte tag. Returns (tlv, rest).
pub fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers are not needed here
    }
    let l0 = *input.get(1)? as usize;
    let (len, hdr) = if l0 < 0x80 {
        (l0, 2usize)
    } else if l0 == 0x80 {
        return None; // indefinite length (BER) is not DER
    } else {
        let n = l0 & 0x7f;
        if n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    if end > input.len() {
        return None;
    }
    Some((
        Tlv {
            tag,
            value: &input[hdr..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Total length of the first TLV (used to strip the zero padding of PDF /Contents).
pub fn tlv_total_len(input: &[u8]) -> Option<usize> {
    read_tlv(input).map(|(t, _)| t.raw.len())
}

/// Children of a constructed value.
pub fn children(mut value: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let (t, rest) = read_tlv(value)?;
        out.push(t);
        value = rest;
    }
    Some(out)
}

/// Raw views into a CMS ContentInfo(SignedData).
#[derive(Debug)]
pub struct RawSignedData<'a> {
    pub certificates: Vec<&'a [u8]>,
    pub signer_infos: Vec<&'a [u8]>,
}

pub fn raw_signed_data(content_info: &[u8]) -> Option<RawSignedData<'_>> {
    let (ci, _) = read_tlv(content_info)?;
    let ci = children(ci.value)?;
    let explicit0 = ci.get(1).filter(|t| t.tag == 0xA0)?;
    let (sd, _) = read_tlv(explicit0.value)?;
    if sd.tag != 0x30 {
        return None;
    }
    let parts = children(sd.value)?;
    let mut certificates = Vec::new();
    let mut signer_infos = Vec::new();
    // version, digestAlgorithms, encapContentInfo, [0] certs?, [1] crls?, signerInfos
    for p in parts.iter().skip(3) {
        match p.tag {
            0xA0 => {
                for c in children(p.value)? {
                    if c.tag == 0x30 {
                        certificates.push(c.raw); // other CertificateChoices are ignored
                    }
                }
            }
            0xA1 => {}
            0x31 => {
                for s in children(p.value)? {
                    signer_infos.push(s.raw);
                }
            }
            _ => return None,
        }
    }
    Some(RawSignedData {
        certificates,
        signer_infos,
    })
}

/// The DER bytes over which a SignerInfo signature is computed: the signedAttrs
/// field re-tagged from [0] IMPLICIT (0xA0) to SET OF (0x31), RFC 5652 5.4.
pub fn signed_attrs_for_signature(signer_info: &[u8]) -> Option<Vec<u8>> {
    let (si, _) = read_tlv(signer_info)?;
    let parts = children(si.value)?;
    // version, sid, digestAlgorithm, [0] signedAttrs ...
    let sa = parts.get(3).filter(|t| t.tag == 0xA0)?;
    let mut out = sa.raw.to_vec();
    out[0] = 0x31;
    Some(out)
}

/// TBSCertificate bytes (first element of Certificate).
pub fn tbs_of(cert: &[u8]) -> Option<&[u8]> {
    let (c, _) = read_tlv(cert)?;
    let (tbs, _) = read_tlv(c.value)?;
    Some(tbs.raw)
}
