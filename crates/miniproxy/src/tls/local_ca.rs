//! A certificate authority of your own, for names only your machine uses
//! (`app1.localhost`): what `miniproxy cert` does, like mkcert.
//!
//! A browser trusts a certificate when a chain of signatures leads from it
//! to a CA it already trusts. No public CA will sign `app1.localhost` (no
//! one owns it), so we become a CA: one key pair and a self-signed CA
//! certificate (`ca.pem`), made once. Every site certificate is then
//! signed with the CA's key. Tell curl (`--cacert ca.pem`) or the browser
//! (import `ca.pem` as an authority) to trust that one CA, and every
//! certificate it signed is trusted, with no warning to click away.
//!
//! The CA's private key can sign a certificate for *any* name, your bank's
//! included, and your machine would believe it: it is written readable by
//! you only (mode 0600), as is every site key, and it never leaves the
//! folder. Remove the CA from your trust store when you are done.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

const DAY: i64 = 24 * 60 * 60;

/// The CA's certificate and key, in `dir`.
pub fn ca_paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("ca.pem"), dir.join("ca-key.pem"))
}

/// A site certificate's files: `app1.localhost.pem` and
/// `app1.localhost-key.pem` (`*.example.test` → `_wildcard.example.test`).
pub fn cert_paths(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let file = name.replace('*', "_wildcard");
    (
        dir.join(format!("{file}.pem")),
        dir.join(format!("{file}-key.pem")),
    )
}

/// What went wrong, with the file when there is one.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Cert(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CaError + '_ {
    move |source| CaError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn cert(error: rcgen::Error) -> CaError {
    CaError::Cert(error.to_string())
}

/// Seconds since 1970, now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A date for a certificate, from seconds since 1970.
fn at(seconds: i64) -> Result<x509_parser::time::ASN1Time, CaError> {
    x509_parser::time::ASN1Time::from_timestamp(seconds)
        .map_err(|e| CaError::Cert(format!("bad date: {e}")))
}

/// The local CA in `dir`: made (and `true` returned) if it is not there
/// yet, otherwise read back, so certificates issued today and last week
/// are trusted by the same `ca.pem`.
pub fn ensure_ca(dir: &Path) -> Result<bool, CaError> {
    let (cert_path, key_path) = ca_paths(dir);
    if cert_path.exists() && key_path.exists() {
        // Read both back now: a damaged CA is better found here.
        load_issuer(dir)?;
        return Ok(false);
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let key = KeyPair::generate().map_err(cert)?;
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "Deploy Workbook local CA");
    name.push(DnType::OrganizationName, "Deploy Workbook (local only)");
    params.distinguished_name = name;
    // A CA that may sign site certificates, but no other CA under it.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = at(now() - DAY)?.to_datetime();
    params.not_after = at(now() + 10 * 365 * DAY)?.to_datetime();
    let ca = params.self_signed(&key).map_err(cert)?;
    write_private(&key_path, key.serialize_pem().as_bytes())?;
    write_public(&cert_path, ca.pem().as_bytes())?;
    Ok(true)
}

fn load_issuer(dir: &Path) -> Result<Issuer<'static, KeyPair>, CaError> {
    let (cert_path, key_path) = ca_paths(dir);
    let ca_pem = std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?;
    let key_pem = std::fs::read_to_string(&key_path).map_err(io(&key_path))?;
    let key = KeyPair::from_pem(&key_pem)
        .map_err(|e| CaError::Cert(format!("{}: {e}", key_path.display())))?;
    Issuer::from_ca_cert_pem(&ca_pem, key)
        .map_err(|e| CaError::Cert(format!("{}: {e}", cert_path.display())))
}

/// Issues a certificate for `names` (the first one names the files),
/// signed by the CA in `dir`, valid from `not_before` to `not_after`
/// (seconds since 1970). Returns the certificate's and the key's paths.
pub fn issue_valid(
    dir: &Path,
    names: &[String],
    not_before: i64,
    not_after: i64,
) -> Result<(PathBuf, PathBuf), CaError> {
    let Some(first) = names.first() else {
        return Err(CaError::Cert(
            "a certificate needs at least one name".into(),
        ));
    };
    let issuer = load_issuer(dir)?;
    let key = KeyPair::generate().map_err(cert)?;
    let mut params = CertificateParams::new(names.to_vec()).map_err(cert)?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, first.as_str());
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = at(not_before)?.to_datetime();
    params.not_after = at(not_after)?.to_datetime();
    let leaf = params.signed_by(&key, &issuer).map_err(cert)?;
    let (cert_path, key_path) = cert_paths(dir, first);
    write_private(&key_path, key.serialize_pem().as_bytes())?;
    write_public(&cert_path, leaf.pem().as_bytes())?;
    Ok((cert_path, key_path))
}

/// [`issue_valid`] from yesterday for 397 days (the longest a browser
/// accepts from a public CA; a local one keeps to it too).
pub fn issue(dir: &Path, names: &[String]) -> Result<(PathBuf, PathBuf), CaError> {
    issue_valid(dir, names, now() - DAY, now() + 397 * DAY)
}

/// A private key: created readable and writable by its owner only (0600),
/// never briefly readable by others. An existing file is made 0600 first.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), CaError> {
    if path.exists() {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io(path))?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(contents).map_err(io(path))
}

/// A certificate is public: 0644.
fn write_public(path: &Path, contents: &[u8]) -> Result<(), CaError> {
    std::fs::write(path, contents).map_err(io(path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).map_err(io(path))
}

/// What to do with the CA, printed by `miniproxy cert`.
pub fn how_to_trust(dir: &Path) -> String {
    let (ca, _) = ca_paths(dir);
    let ca = ca.display();
    format!(
        "\
trust the local CA ({ca}):
  curl:     curl --cacert {ca} https://app1.localhost:8443/
  Firefox:  Settings > Privacy & Security > Certificates > View Certificates >
            Authorities > Import… {ca}, tick \"Trust this CA to identify websites\"
  Chromium: chrome://settings/certificates > Authorities > Import {ca},
            tick \"Trust this certificate for identifying websites\"
  system:   sudo cp {ca} /usr/local/share/ca-certificates/deploy-workbook-ca.crt
            && sudo update-ca-certificates   (then curl trusts it without --cacert)
keep ca-key.pem private (it can sign for any name); remove the CA from your
browser when you are done with the course."
    )
}
