/*
 * A throwaway self-signed TLS certificate for tests, made with the OpenSSL
 * API (no openssl command, no files checked in).
 *
 * The certificate is an EC P-256 key, valid from an hour ago for two days,
 * CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1, marked as
 * its own CA so a client can trust it with a CA file option pointing at
 * the certificate itself.
 */
#ifndef CT_TEST_TLS_CERT_H
#define CT_TEST_TLS_CERT_H

/* Write cert.pem and key.pem (PEM, key unencrypted, mode 0600) into the
 * existing directory `dir`. On success *cert_path and *key_path are
 * malloc'd paths the caller frees. Returns 0, CT_EINVAL, CT_ENOMEM, CT_ETLS
 * (OpenSSL failed) or CT_EIO (could not write). */
int ct_test_make_cert(const char *dir, char **cert_path, char **key_path);

#endif /* CT_TEST_TLS_CERT_H */
