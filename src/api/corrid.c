/*
 * corrid.c: deterministic correlation ids for follower orders
 * (include/copytrader/corrid.h has the layout).
 *
 * The hash input is a domain tag followed by each field with its length in
 * front, so ("12", "3") and ("1", "23") never feed the same bytes. The
 * 128-bit digest prefix is written in base64url (22 characters), and two
 * check characters come from a second SHA-256 over "ct" + those 22.
 */
#include "copytrader/corrid.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#include "copytrader/error.h"

#define PREFIX      "ct"
#define PREFIX_LEN  2
#define BODY_LEN    22 /* base64url of 16 bytes, unpadded */
#define CHECK_LEN   2
#define DOMAIN_TAG  "copytrader/corrid/v1"
#define KIND_MAX    CT_CORRID_EXIT
#define SHORT_INPUT 256 /* bytes hashed without an EVP context */

_Static_assert(PREFIX_LEN + BODY_LEN + CHECK_LEN == CT_CORRID_LEN,
               "corrid layout");

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* SHA-256 over `n` (pointer, length) parts, through an EVP context. */
static int sha256_evp(const void *const *parts, const size_t *lens, size_t n,
                      unsigned char md[32]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
  for (size_t i = 0; ok && i < n; i++)
    ok = EVP_DigestUpdate(ctx, parts[i], lens[i]) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, md, NULL) == 1;
  EVP_MD_CTX_free(ctx);
  return ok ? 0 : CT_ENOMEM;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* SHA-256 over `n` (pointer, length) parts. Short inputs (every id the
 * engine makes) are joined on the stack and hashed in one SHA256() call:
 * an EVP context costs an allocation and a digest fetch per call, several
 * times the hash itself. */
static int sha256(const void *const *parts, const size_t *lens, size_t n,
                  unsigned char md[32]) {
  unsigned char buf[SHORT_INPUT];
  size_t len = 0;
  for (size_t i = 0; i < n && len <= sizeof buf; i++)
    len += lens[i] <= sizeof buf ? lens[i] : sizeof buf + 1;
  if (len <= sizeof buf) {
    len = 0;
    for (size_t i = 0; i < n; i++) {
      memcpy(buf + len, parts[i], lens[i]);
      len += lens[i];
    }
    return SHA256(buf, len, md) != NULL ? 0 : CT_ENOMEM;
  }
  return sha256_evp(parts, lens, n, md);
}

/* 16 bytes -> 22 base64url characters (the last one carries 2 bits). */
static void encode(const unsigned char *in, char *out) {
  uint32_t acc = 0;
  int bits = 0, o = 0;
  for (int i = 0; i < 16; i++) {
    acc = (acc << 8) | in[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out[o++] = b64url[(acc >> bits) & 63];
    }
  }
  out[o] = b64url[(acc << (6 - bits)) & 63];
}

/* The two check characters of the first 24 characters of id. */
static int check_chars(const char *id, char out[CHECK_LEN]) {
  static const char tag[] = DOMAIN_TAG "/check";
  const void *parts[] = { tag, id };
  const size_t lens[] = { sizeof(tag), PREFIX_LEN + BODY_LEN };
  unsigned char md[32];
  int rc = sha256(parts, lens, 2, md);
  if (rc == 0) {
    out[0] = b64url[md[0] & 63];
    out[1] = b64url[md[1] & 63];
  }
  return rc;
}

int ct_corrid_make(const ct_corrid_input_t *in, char out[CT_CORRID_SIZE]) {
  static const char tag[] = DOMAIN_TAG;
  unsigned char lens_be[2][4], tail[9], md[32];
  size_t l1, l2;
  int rc;

  if (in == NULL || out == NULL || in->leader_order_id == NULL ||
      in->follower_id == NULL || (unsigned)in->kind > KIND_MAX)
    return CT_EINVAL;
  l1 = strlen(in->leader_order_id);
  l2 = strlen(in->follower_id);
  if (l1 == 0 || l2 == 0 || l1 > UINT32_MAX || l2 > UINT32_MAX)
    return CT_EINVAL;
  put_u32(lens_be[0], (uint32_t)l1);
  put_u32(lens_be[1], (uint32_t)l2);
  tail[0] = (unsigned char)in->kind;
  put_u32(tail + 1, in->index);
  put_u32(tail + 5, in->generation);
  {
    const void *parts[] = { tag,        lens_be[0],      in->leader_order_id,
                            lens_be[1], in->follower_id, tail };
    const size_t lens[] = { sizeof(tag), 4, l1, 4, l2, sizeof(tail) };
    rc = sha256(parts, lens, 6, md);
  }
  if (rc != 0)
    return rc;
  memcpy(out, PREFIX, PREFIX_LEN);
  encode(md, out + PREFIX_LEN);
  rc = check_chars(out, out + PREFIX_LEN + BODY_LEN);
  out[CT_CORRID_LEN] = '\0';
  return rc;
}

bool ct_corrid_is_ours(const char *s) {
  char check[CHECK_LEN];
  if (s == NULL || strncmp(s, PREFIX, PREFIX_LEN) != 0 ||
      strlen(s) != CT_CORRID_LEN ||
      strspn(s + PREFIX_LEN, b64url) != CT_CORRID_LEN - PREFIX_LEN)
    return false;
  if (check_chars(s, check) != 0)
    return false;
  return memcmp(check, s + PREFIX_LEN + BODY_LEN, CHECK_LEN) == 0;
}
