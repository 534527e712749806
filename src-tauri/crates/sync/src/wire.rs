//! Canonical bytes: big-endian integers, strings and byte strings with a u32 length prefix,
//! options as a 0/1 byte. One encoding per value, so what is signed is exactly what is sent.

use crate::SyncError;

/// Appends canonical fields to a buffer.
#[derive(Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    pub(crate) fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }
    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub(crate) fn u16(&mut self, v: u16) -> &mut Self {
        self.raw(&v.to_be_bytes())
    }
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.raw(&v.to_be_bytes())
    }
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_be_bytes())
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        // Lengths above u32 are refused long before (MAX_PLAINTEXT); saturate rather than wrap.
        self.u32(u32::try_from(b.len()).unwrap_or(u32::MAX));
        self.raw(b)
    }
    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    pub(crate) fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            None => self.u8(0),
            Some(s) => self.u8(1).str(s),
        }
    }
    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads canonical fields from untrusted bytes; every read is bounds-checked.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { rest: bytes, what }
    }
    fn bad(&self) -> SyncError {
        SyncError::malformed(self.what)
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], SyncError> {
        if self.rest.len() < n {
            return Err(self.bad());
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], SyncError> {
        let b = self.take(N)?;
        b.try_into().map_err(|_| self.bad())
    }
    pub(crate) fn u8(&mut self) -> Result<u8, SyncError> {
        Ok(self.array::<1>()?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16, SyncError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, SyncError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, SyncError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], SyncError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    /// UTF-8 without NUL: no string in the protocol has one, and PostgreSQL's text cannot hold it.
    pub(crate) fn str(&mut self) -> Result<String, SyncError> {
        let b = self.bytes()?;
        if b.contains(&0) {
            return Err(self.bad());
        }
        String::from_utf8(b.to_vec()).map_err(|_| self.bad())
    }
    pub(crate) fn opt_str(&mut self) -> Result<Option<String>, SyncError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            _ => Err(self.bad()),
        }
    }
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.rest)
    }
    /// Refuses trailing bytes: a message has exactly one encoding.
    pub(crate) fn end(&self) -> Result<(), SyncError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.bad())
        }
    }
}

/// Reads an envelope's magic and protocol version, refusing another kind or version.
pub(crate) fn expect_version(r: &mut Reader<'_>, magic: &[u8; 4]) -> Result<(), SyncError> {
    if r.take(4)? != magic {
        return Err(SyncError::malformed(r.what));
    }
    let theirs = r.u16()?;
    if theirs != crate::PROTOCOL_VERSION {
        return Err(SyncError::Version {
            ours: crate::PROTOCOL_VERSION,
            theirs,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_past_the_end_is_refused() {
        let mut w = Writer::new();
        w.str("абв").u64(7).opt_str(None).opt_str(Some("x"));
        let bytes = w.finish();
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut], "test");
            let got = (|| {
                r.str()?;
                r.u64()?;
                r.opt_str()?;
                r.opt_str()
            })();
            assert!(got.is_err(), "a message cut at {cut} bytes must not decode");
        }
        let mut r = Reader::new(&bytes, "test");
        assert_eq!(r.str().unwrap(), "абв");
        assert_eq!(r.u64().unwrap(), 7);
        assert_eq!(r.opt_str().unwrap(), None);
        assert_eq!(r.opt_str().unwrap().as_deref(), Some("x"));
        r.end().expect("all bytes read");
    }

    #[test]
    fn a_length_prefix_larger_than_the_message_is_refused_without_allocating() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, b'a'], "test");
        assert_eq!(r.bytes(), Err(SyncError::malformed("test")));
    }
}
