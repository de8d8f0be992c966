/*
 * tls_cert.c: a self-signed certificate for tests (see tls_cert.h), built
 * with OpenSSL 3's EVP and X509 APIs and written as PEM files.
 */
#include "tls_cert.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "copytrader/error.h"

static int add_ext(X509 *crt, int nid, const char *value) {
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  int ok;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, crt, crt, NULL, NULL, 0);
  if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
    return 0;
  ok = X509_add_ext(crt, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

static int fill_cert(X509 *crt, EVP_PKEY *key) {
  X509_NAME *name = X509_get_subject_name(crt);
  unsigned char serial[8];
  uint64_t sn = 0;
  if (RAND_bytes(serial, sizeof(serial)) != 1)
    return 0;
  for (size_t i = 0; i < sizeof(serial); i++)
    sn = sn << 8 | serial[i];
  return X509_set_version(crt, 2) &&
         ASN1_INTEGER_set_uint64(X509_get_serialNumber(crt),
                                 sn >> 1 | 1) && /* positive, non-zero */
         X509_gmtime_adj(X509_getm_notBefore(crt), -3600) &&
         X509_gmtime_adj(X509_getm_notAfter(crt), 2 * 86400) &&
         X509_set_pubkey(crt, key) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"localhost", -1, -1,
                                    0) &&
         X509_set_issuer_name(crt, name) &&
         add_ext(crt, NID_basic_constraints, "critical,CA:TRUE") &&
         add_ext(crt, NID_key_usage, "critical,digitalSignature,keyCertSign") &&
         add_ext(crt, NID_ext_key_usage, "serverAuth") &&
         add_ext(crt, NID_subject_key_identifier, "hash") &&
         add_ext(crt, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
         X509_sign(crt, key, EVP_sha256()) > 0;
}

static int write_pem(const char *path, X509 *crt, EVP_PKEY *key) {
  FILE *f = fopen(path, "w");
  int ok;
  if (f == NULL)
    return CT_EIO;
  if (key != NULL)
    chmod(path, 0600);
  ok = crt != NULL ? PEM_write_X509(f, crt)
                   : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
  if (fclose(f) != 0)
    ok = 0;
  return ok ? 0 : CT_EIO;
}

int ct_test_make_cert(const char *dir, char **cert_path, char **key_path) {
  EVP_PKEY *key = NULL;
  X509 *crt = NULL;
  char *cp = NULL, *kp = NULL;
  int rc = CT_EINVAL;
  if (dir == NULL || cert_path == NULL || key_path == NULL)
    return rc;
  rc = CT_ENOMEM;
  if (asprintf(&cp, "%s/cert.pem", dir) < 0)
    cp = NULL;
  if (asprintf(&kp, "%s/key.pem", dir) < 0)
    kp = NULL;
  if (cp == NULL || kp == NULL)
    goto fail;
  rc = CT_ETLS;
  if ((key = EVP_EC_gen("P-256")) == NULL || (crt = X509_new()) == NULL ||
      !fill_cert(crt, key))
    goto fail;
  if ((rc = write_pem(cp, crt, NULL)) != 0 ||
      (rc = write_pem(kp, NULL, key)) != 0)
    goto fail;
  X509_free(crt);
  EVP_PKEY_free(key);
  *cert_path = cp;
  *key_path = kp;
  return 0;
fail:
  X509_free(crt);
  EVP_PKEY_free(key);
  free(cp);
  free(kp);
  return rc;
}
