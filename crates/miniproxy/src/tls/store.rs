//! The certificate a handshake gets, chosen by SNI, swappable while serving.
//!
//! rustls asks [`CertStore::resolve`] once per TLS handshake, after it has
//! read the client's hello and before anything is encrypted. The only name
//! known at that moment is the one the client put in the hello (SNI): no
//! HTTP request has been sent yet, so there is no `Host` header to read.
//! The `select_certificate` hook (lab 9) picks the site from that name.
//!
//! A reload (SIGHUP) builds a whole new [`CertTable`] first, every file
//! read and checked, and only then puts it in place in one step, like the
//! upstream pools in `crate::live`. A bad new certificate therefore never
//! replaces a good one, and connections already open keep the keys they
//! agreed on: nothing is dropped. Only handshakes that start after the
//! swap see the new certificates.

use std::sync::{Arc, RwLock};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::certs::CertTable;
use crate::hooks::guarded;
use crate::sites::SiteNames;

/// The certificates in use, and the function that chooses among them.
#[derive(Debug)]
pub struct CertStore {
    table: RwLock<Arc<CertTable>>,
    select: fn(&[SiteNames], Option<&str>) -> Option<usize>,
}

impl CertStore {
    /// An empty store (every handshake refused) until [`CertStore::replace`].
    pub fn new(select: fn(&[SiteNames], Option<&str>) -> Option<usize>) -> CertStore {
        CertStore {
            table: RwLock::new(Arc::new(CertTable::default())),
            select,
        }
    }

    /// Puts `table` in place for every handshake from now on.
    pub fn replace(&self, table: CertTable) {
        *self.table.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(table);
    }

    /// The table in use now.
    pub fn current(&self) -> Arc<CertTable> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    // ANCHOR: certificate_for_hello
    /// The certificate for a hello naming `sni`, or `None` (the handshake is
    /// refused with an alert; curl says "tlsv1 alert internal error" or
    /// "unrecognized name").
    pub fn choose(&self, sni: Option<&str>) -> Option<Arc<CertifiedKey>> {
        let table = self.current();
        let select = self.select;
        match guarded("select_certificate", || select(&table.names, sni)) {
            Ok(Some(index)) => match table.certs.get(index) {
                Some(loaded) => Some(loaded.key.clone()),
                None => {
                    tracing::warn!(
                        "select_certificate chose certificate {index}; there are {}",
                        table.certs.len()
                    );
                    None
                }
            },
            Ok(None) => {
                tracing::info!(
                    sni = sni.unwrap_or("-"),
                    "no certificate for this name: handshake refused"
                );
                None
            }
            Err(panic) => {
                tracing::warn!("{panic}");
                None
            }
        }
    }
    // ANCHOR_END: certificate_for_hello
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.choose(hello.server_name())
    }
}
