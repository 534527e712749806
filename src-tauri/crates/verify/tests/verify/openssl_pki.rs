//! Signed files made in the test: a throwaway PKI (root, issuing CA, signer; RSA, RSA-PSS, P-256,
//! P-384) and a time-stamping authority made with the `openssl` binary, a hand-written PDF, and a
//! PAdES incremental update whose byte range `openssl cms -sign` signs. `pdfsig` (poppler) checks
//! the result is a PDF signature a real reader accepts.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use verify::certificate::Cert;

pub struct TempDir(pub PathBuf);
impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "bd-verify-{}-{}-{}",
            tag,
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        // hermetic: do not depend on the system openssl.cnf
        std::fs::write(p.join("min.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n").unwrap();
        TempDir(p)
    }
    pub fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_FIXTURES").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", dir.join("min.cnf"))
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Alg {
    Rsa2048,
    /// RSA key, signer uses RSASSA-PSS in the CMS
    RsaPss,
    P256,
    P384,
}

impl Alg {
    fn newkey(self) -> Vec<&'static str> {
        match self {
            Alg::Rsa2048 | Alg::RsaPss => vec!["-newkey", "rsa:2048"],
            Alg::P256 => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Alg::P384 => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        }
    }
    fn md(self) -> &'static str {
        if self == Alg::P384 {
            "-sha384"
        } else {
            "-sha256"
        }
    }
}

pub struct Pki {
    pub dir: PathBuf,
    pub root: Cert,
    /// files (relative to dir)
    pub signer_pem: &'static str,
    pub signer_key: &'static str,
    pub chain_pem: &'static str,
    pub alg: Alg,
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
const LEAF_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
const TSA_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";

/// root CA -> issuing CA -> signer, all with `alg`; `prefix` keeps several PKIs in one dir.
pub fn make_pki(dir: &Path, alg: Alg, prefix: &'static str) -> Pki {
    std::fs::write(dir.join("ca.ext"), CA_EXT).unwrap();
    std::fs::write(dir.join("leaf.ext"), LEAF_EXT).unwrap();
    let f = |s: &str| format!("{prefix}{s}");
    let (root_key, root_pem, int_key, int_csr, int_pem, s_key, s_csr, s_pem, chain) = (
        f("root.key"),
        f("root.pem"),
        f("int.key"),
        f("int.csr"),
        f("int.pem"),
        f("signer.key"),
        f("signer.csr"),
        f("signer.pem"),
        f("chain.pem"),
    );
    let nk = alg.newkey();
    let mut a = vec!["req", "-x509"];
    a.extend(&nk);
    a.extend([
        "-nodes",
        "-keyout",
        &root_key,
        "-out",
        &root_pem,
        "-days",
        "3650",
        alg.md(),
        "-subj",
        "/CN=Branch Desk Test Root CA/O=Test",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-addext",
        "subjectKeyIdentifier=hash",
    ]);
    openssl(dir, &a);
    let mut a = vec!["req", "-new"];
    a.extend(&nk);
    a.extend([
        "-nodes",
        "-keyout",
        &int_key,
        "-out",
        &int_csr,
        "-subj",
        "/CN=Branch Desk Test Issuing CA/O=Test",
    ]);
    openssl(dir, &a);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &int_csr,
            "-CA",
            &root_pem,
            "-CAkey",
            &root_key,
            "-set_serial",
            "0x02",
            "-days",
            "1825",
            alg.md(),
            "-extfile",
            "ca.ext",
            "-out",
            &int_pem,
        ],
    );
    let mut a = vec!["req", "-new"];
    a.extend(&nk);
    a.extend([
        "-nodes",
        "-keyout",
        &s_key,
        "-out",
        &s_csr,
        "-subj",
        "/CN=Test Loan Officer/O=Test",
    ]);
    openssl(dir, &a);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &s_csr,
            "-CA",
            &int_pem,
            "-CAkey",
            &int_key,
            "-set_serial",
            "0x1001",
            "-days",
            "825",
            alg.md(),
            "-extfile",
            "leaf.ext",
            "-out",
            &s_pem,
        ],
    );
    let chain_txt = std::fs::read_to_string(dir.join(&int_pem)).unwrap()
        + &std::fs::read_to_string(dir.join(&root_pem)).unwrap();
    std::fs::write(dir.join(&chain), chain_txt).unwrap();
    let root = Cert::read(&std::fs::read(dir.join(&root_pem)).unwrap()).expect("root certificate");
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    Pki {
        dir: dir.to_path_buf(),
        root,
        signer_pem: leak(s_pem),
        signer_key: leak(s_key),
        chain_pem: leak(chain),
        alg,
    }
}

/// A TSA: own root + TSA cert (EKU timeStamping critical) + openssl ts config.
pub struct Tsa {
    pub root: Cert,
}
pub fn make_tsa(dir: &Path) -> Tsa {
    std::fs::write(dir.join("tsa.ext"), TSA_EXT).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsaroot.key",
            "-out",
            "tsaroot.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Test TSA Root/O=Test",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-addext",
            "subjectKeyIdentifier=hash",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=Test TSA/O=Test",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "tsaroot.pem",
            "-CAkey",
            "tsaroot.key",
            "-set_serial",
            "0x7001",
            "-days",
            "825",
            "-extfile",
            "tsa.ext",
            "-out",
            "tsa.pem",
        ],
    );
    std::fs::write(
        dir.join("tsa.cnf"),
        "[req]\ndistinguished_name = dn\n[dn]\n\
         [tsa]\ndefault_tsa = tsa1\n\
         [tsa1]\nserial = ./tsaserial\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
         digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\n\
         ess_cert_id_alg = sha256\ness_cert_id_chain = no\n",
    )
    .unwrap();
    Tsa {
        root: Cert::read(&std::fs::read(dir.join("tsaroot.pem")).unwrap()).expect("TSA root"),
    }
}

/// RFC 3161 token (a CMS ContentInfo) over `data` (the SignerInfo signature value).
pub fn timestamp_token(dir: &Path, data: &[u8]) -> Vec<u8> {
    std::fs::write(dir.join("tsdata.bin"), data).unwrap();
    openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "tsdata.bin",
            "-sha256",
            "-cert",
            "-out",
            "req.tsq",
        ],
    );
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "req.tsq",
            "-inkey",
            "tsa.key",
            "-signer",
            "tsa.pem",
            "-chain",
            "tsaroot.pem",
            "-token_out",
            "-out",
            "token.der",
        ],
    );
    std::fs::read(dir.join("token.der")).unwrap()
}

/// Add the token as unsigned attribute id-aa-timeStampToken (re-encodes via the cms crate).
pub fn add_timestamp(cms_der: &[u8], token: &[u8]) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::{SignedData, SignerInfos};
    use der::asn1::SetOfVec;
    use der::{Decode, Encode};
    use x509_cert::attr::Attribute;
    let ci = ContentInfo::from_der(cms_der).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    let mut sis = sd.signer_infos.0.into_vec();
    let tok_any = der::Any::from_der(token).unwrap();
    let mut values = SetOfVec::new();
    values.insert(tok_any).unwrap();
    let a = Attribute {
        oid: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14"),
        values,
    };
    let mut attrs = SetOfVec::new();
    attrs.insert(a).unwrap();
    sis[0].unsigned_attrs = Some(attrs);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(sis).unwrap());
    let ci = ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).unwrap(),
    };
    ci.to_der().unwrap()
}

// ------------------------------------------------------------------- PDF ---

/// Writes indirect objects and remembers their offsets.
pub struct PdfWriter {
    pub buf: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl PdfWriter {
    pub fn new(base: Vec<u8>) -> Self {
        PdfWriter {
            buf: base,
            offsets: Vec::new(),
        }
    }
    pub fn obj(&mut self, num: u32, body: &[u8]) {
        self.offsets.push((num, self.buf.len()));
        self.buf
            .extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        self.buf.extend_from_slice(body);
        self.buf.extend_from_slice(b"\nendobj\n");
    }
    /// Classic xref table + trailer (with /Prev for an incremental update).
    pub fn finish(mut self, size: u32, root: u32, prev: Option<usize>) -> Vec<u8> {
        let xref_at = self.buf.len();
        let mut x = String::from("xref\n");
        let mut offs = self.offsets.clone();
        offs.sort();
        if prev.is_none() {
            // full table: object 0 is the head of the free list
            x.push_str(&format!("0 {}\n0000000000 65535 f \n", offs.len() + 1));
            for (_, o) in &offs {
                writeln!(x, "{o:010} 00000 n ").unwrap();
            }
        } else {
            x.push_str("0 1\n0000000000 65535 f \n");
            // one subsection per run of consecutive object numbers
            let mut i = 0;
            while i < offs.len() {
                let mut j = i;
                while j + 1 < offs.len() && offs[j + 1].0 == offs[j].0 + 1 {
                    j += 1;
                }
                writeln!(x, "{} {}", offs[i].0, j - i + 1).unwrap();
                for (_, o) in &offs[i..=j] {
                    writeln!(x, "{o:010} 00000 n ").unwrap();
                }
                i = j + 1;
            }
        }
        let prev_s = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        write!(
            x,
            "trailer\n<< /Size {size} /Root {root} 0 R{prev_s} >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .unwrap();
        self.buf.extend_from_slice(x.as_bytes());
        self.buf
    }
}

pub const PAGE_TEXT: &str = "Branch Desk PAdES test";

pub fn minimal_pdf() -> Vec<u8> {
    let mut w = PdfWriter::new(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec());
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    w.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.obj(3, PAGE_DICT.replace("{ANNOTS}", "").as_bytes());
    let content = format!("BT /F1 24 Tf 72 760 Td ({PAGE_TEXT}) Tj ET");
    w.obj(
        4,
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .as_bytes(),
    );
    w.obj(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    w.finish(6, 1, None)
}

const PAGE_DICT: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>{ANNOTS} >>";

/// Find `startxref N` at the end of a PDF.
pub fn last_startxref(pdf: &[u8]) -> usize {
    let tail = &pdf[pdf.len().saturating_sub(64)..];
    let s = String::from_utf8_lossy(tail);
    let i = s.rfind("startxref").unwrap();
    s[i + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub struct Prepared {
    pub pdf: Vec<u8>,
    pub byte_range: [usize; 4],
}

pub const BR_PLACEHOLDER: &str = "/ByteRange [0 0000000000 0000000000 0000000000]";

/// Incremental update: catalog gets /AcroForm, page gets /Annots, new widget+field
/// `field_obj` and signature dictionary `sig_obj` with placeholders.
/// `fields` lists every signature field object number (for a 2nd signature).
pub fn prepare_signature(
    pdf: &[u8],
    fields: &[u32],
    field_obj: u32,
    sig_obj: u32,
    subfilter: &str,
    reserve: usize,
) -> Prepared {
    let prev = last_startxref(pdf);
    let mut base = pdf.to_vec();
    if base.last() != Some(&b'\n') {
        base.push(b'\n');
    }
    let refs: Vec<String> = fields.iter().map(|n| format!("{n} 0 R")).collect();
    let refs = refs.join(" ");
    let mut w = PdfWriter::new(base);
    w.obj(
        1,
        format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{refs}] /SigFlags 3 >> >>")
            .as_bytes(),
    );
    w.obj(
        3,
        PAGE_DICT
            .replace("{ANNOTS}", &format!(" /Annots [{refs}]"))
            .as_bytes(),
    );
    w.obj(
        field_obj,
        format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature{field_obj}) /V {sig_obj} 0 R /F 132 /Rect [0 0 0 0] /P 3 0 R >>"
        )
        .as_bytes(),
    );
    let zeros = "0".repeat(reserve * 2);
    w.obj(
        sig_obj,
        format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /{subfilter}\n{BR_PLACEHOLDER}\n/Contents <{zeros}>\n/M (D:20260101120000+00'00') /Reason (test) >>"
        )
        .as_bytes(),
    );
    let size = fields.iter().chain([&sig_obj]).max().unwrap() + 1;
    let mut out = w.finish(size.max(6), 1, Some(prev));
    // the placeholder of *this* update is the last one in the file
    let br_at = rfind(&out, BR_PLACEHOLDER.as_bytes()).unwrap();
    let lt = br_at + find(&out[br_at..], b"/Contents <").unwrap() + "/Contents ".len();
    let gt = lt + 1 + reserve * 2;
    assert_eq!(out[gt], b'>');
    let br = [0, lt, gt + 1, out.len() - (gt + 1)];
    let mut s = format!("/ByteRange [{} {} {} {}]", br[0], br[1], br[2], br[3]);
    assert!(s.len() <= BR_PLACEHOLDER.len());
    while s.len() < BR_PLACEHOLDER.len() {
        s.push(' ');
    }
    out[br_at..br_at + s.len()].copy_from_slice(s.as_bytes());
    Prepared {
        pdf: out,
        byte_range: br,
    }
}

pub fn covered(p: &Prepared) -> Vec<u8> {
    let [a, b, c, d] = p.byte_range;
    [&p.pdf[a..a + b], &p.pdf[c..c + d]].concat()
}

/// Put DER into the /Contents placeholder (hex, zero padded).
pub fn fill_contents(p: &Prepared, der: &[u8]) -> Vec<u8> {
    let [_, b, c, _] = p.byte_range;
    let room = c - b - 2;
    let hex = hex(der);
    assert!(
        hex.len() <= room,
        "signature too big for placeholder: {} > {}",
        hex.len(),
        room
    );
    let mut out = p.pdf.clone();
    out[b + 1..b + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        write!(s, "{x:02X}").unwrap();
    }
    s
}

pub fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}
pub fn rfind(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).rposition(|w| w == n)
}

/// openssl cms -sign over `data` (detached unless `attached`).
pub fn cms_sign(pki: &Pki, data: &[u8], cades: bool, attached: bool) -> Vec<u8> {
    let dir = &pki.dir;
    std::fs::write(dir.join("tbs.bin"), data).unwrap();
    let mut a = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "tbs.bin",
        "-outform",
        "DER",
        "-md",
        "sha256",
        "-signer",
        pki.signer_pem,
        "-inkey",
        pki.signer_key,
        "-certfile",
        pki.chain_pem,
        "-nosmimecap",
        "-out",
        "sig.der",
    ];
    if pki.alg == Alg::P384 {
        a[8] = "sha384";
    }
    if cades {
        a.push("-cades");
    }
    if attached {
        a.push("-nodetach");
    }
    if pki.alg == Alg::RsaPss {
        a.extend([
            "-keyopt",
            "rsa_padding_mode:pss",
            "-keyopt",
            "rsa_pss_saltlen:digest",
        ]);
    }
    openssl(dir, &a);
    std::fs::read(dir.join("sig.der")).unwrap()
}

/// The whole PAdES flow: prepare, hash-sign the byte range with openssl, fill.
pub fn sign_pdf(pki: &Pki, pdf: &[u8], subfilter: &str, tsa: bool) -> Vec<u8> {
    let prep = prepare_signature(
        pdf,
        &[6],
        6,
        7,
        subfilter,
        if tsa { 12 * 1024 } else { 8 * 1024 },
    );
    let mut der = cms_sign(
        pki,
        &covered(&prep),
        subfilter == "ETSI.CAdES.detached",
        false,
    );
    if tsa {
        let sigval = signature_value(&der);
        let tok = timestamp_token(&pki.dir, &sigval);
        der = add_timestamp(&der, &tok);
    }
    fill_contents(&prep, &der)
}

pub fn pdfsig(dir: &Path, pdf: &[u8]) -> Option<String> {
    let p = dir.join("signed.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = Command::new("pdfsig").arg(&p).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// The first signer's signature value.
pub fn signature_value(der: &[u8]) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::Decode;
    let ci = ContentInfo::from_der(der).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    sd.signer_infos
        .0
        .get(0)
        .unwrap()
        .signature
        .as_bytes()
        .to_vec()
}
