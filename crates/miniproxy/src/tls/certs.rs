//! Certificates from disk, checked before they are ever served.
//!
//! A site's certificate is two PEM files: the *chain* (the site's own
//! certificate first, then any intermediate CA certificates that lead to a
//! root the browser trusts) and the *private key* that goes with the first
//! one. Three things go wrong in real life, and each is reported with the
//! file and the reason, at `--check` time and on a reload, never at the
//! first visitor's handshake:
//!
//! * a file is missing or is not PEM (a typo in the path, a DER file);
//! * the key is not the certificate's (a renewal wrote a new key and the
//!   config still names the old one): every handshake would fail;
//! * the certificate has expired, or is not valid yet: every browser would
//!   show a full-page warning.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::crypto::ring;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::config::Config;
use crate::sites::SiteNames;

/// Why a certificate cannot be served: the file, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{}: {why}", path.display())]
pub struct CertError {
    pub path: PathBuf,
    pub why: String,
}

fn error(path: &Path, why: impl Into<String>) -> CertError {
    CertError {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// What `--check` shows of a certificate.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// The names it is valid for (its subject alternative names).
    pub names: Vec<String>,
    /// When it expires, as seconds since 1970 and as text.
    pub not_after: i64,
    pub not_after_text: String,
}

/// A certificate chain and its key, read and checked: ready to serve.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub key: Arc<CertifiedKey>,
    pub info: CertInfo,
}

/// Reads `cert` (PEM chain, leaf first) and `key` (PEM private key) and
/// checks that they belong together and that the certificate is valid now.
pub fn load(cert: &Path, key: &Path) -> Result<Loaded, CertError> {
    let chain_pem = std::fs::read(cert).map_err(|e| error(cert, e.to_string()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| error(cert, format!("not a PEM certificate chain ({e})")))?;
    let Some(leaf) = chain.first() else {
        return Err(error(
            cert,
            "no certificate in it (expected -----BEGIN CERTIFICATE-----)",
        ));
    };
    let info = read_info(cert, leaf)?;

    let key_pem = std::fs::read(key).map_err(|e| error(key, e.to_string()))?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| error(key, format!("not a PEM private key ({e})")))?;
    let provider = ring::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(private)
        .map_err(|e| error(key, format!("unusable private key ({e})")))?;
    let certified = CertifiedKey::new(chain, signing);
    // The key must be the one the certificate's public key belongs to;
    // otherwise the server cannot prove it owns the certificate.
    if let Err(e) = certified.keys_match() {
        return Err(error(
            key,
            format!(
                "this key does not match the certificate {} ({e})",
                cert.display()
            ),
        ));
    }
    Ok(Loaded {
        key: Arc::new(certified),
        info,
    })
}

/// The names and expiry date of the first certificate in the PEM file
/// `cert` (for `--check`); an expired one is an error.
pub fn info(cert: &Path) -> Result<CertInfo, CertError> {
    let pem = std::fs::read(cert).map_err(|e| error(cert, e.to_string()))?;
    let leaf = CertificateDer::pem_slice_iter(&pem)
        .next()
        .ok_or_else(|| error(cert, "no certificate in it"))?
        .map_err(|e| error(cert, format!("not a PEM certificate chain ({e})")))?;
    read_info(cert, &leaf)
}

/// The leaf's names and dates; an expired (or not yet valid) certificate
/// is an error.
fn read_info(path: &Path, leaf: &CertificateDer<'_>) -> Result<CertInfo, CertError> {
    let (_, parsed) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| error(path, format!("not an X.509 certificate ({e})")))?;
    let validity = parsed.validity();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let not_after = validity.not_after.timestamp();
    let not_after_text = validity.not_after.to_string();
    if now > not_after {
        return Err(error(
            path,
            format!("the certificate expired on {not_after_text}; renew it"),
        ));
    }
    if now < validity.not_before.timestamp() {
        return Err(error(
            path,
            format!(
                "the certificate is not valid before {} (is the clock right?)",
                validity.not_before
            ),
        ));
    }
    let mut names = Vec::new();
    if let Ok(Some(san)) = parsed.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(dns) => names.push(dns.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(bytes) => {
                    if let Ok(octets) = <[u8; 4]>::try_from(*bytes) {
                        names.push(std::net::Ipv4Addr::from(octets).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(CertInfo {
        names,
        not_after,
        not_after_text,
    })
}

/// Every site's certificate, loaded, with the names the choice by SNI
/// compares against.
#[derive(Debug, Default)]
pub struct CertTable {
    /// One per site that has a certificate: its names and default flag.
    pub names: Vec<SiteNames>,
    /// The certificate of `names[i]`.
    pub certs: Vec<Loaded>,
    /// The site (an index into the config's `[[site]]`s) of `names[i]`.
    pub sites: Vec<usize>,
}

impl CertTable {
    /// Loads every site's certificate; the first bad one is the error.
    pub fn load(config: &Config) -> Result<CertTable, CertError> {
        let mut table = CertTable::default();
        let Some(https) = &config.https else {
            return Ok(table);
        };
        for (index, (site, tls)) in config.sites.iter().zip(&https.sites).enumerate() {
            let Some((cert, key)) = &tls.cert else {
                continue;
            };
            let loaded = load(cert, key)?;
            table.names.push(SiteNames {
                names: site.names.clone(),
                default: site.default,
            });
            table.certs.push(loaded);
            table.sites.push(index);
        }
        Ok(table)
    }
}
