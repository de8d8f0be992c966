/*
 * error.c: text for the CT_E* codes of include/copytrader/error.h.
 */
#include "copytrader/error.h"

const char *ct_strerror(int err) {
  switch (err) {
  case 0:
    return "success";
#define CT__ERR_TEXT(name, code, text)                                         \
  case CT_##name:                                                              \
    return text;
    CT_ERRNO_MAP(CT__ERR_TEXT)
#undef CT__ERR_TEXT
  }
  return "unknown error";
}

const char *ct_err_name(int err) {
  switch (err) {
  case 0:
    return "OK";
#define CT__ERR_NAME(name, code, text)                                         \
  case CT_##name:                                                              \
    return "CT_" #name;
    CT_ERRNO_MAP(CT__ERR_NAME)
#undef CT__ERR_NAME
  }
  return "CT_E?";
}
