/*
 * dhan_time.c: Dhan's REST timestamps (include/copytrader/dhan_types.h).
 *
 * Dhan writes the times of its order records as "YYYY-MM-DD HH:MM:SS" in
 * IST with no zone in the text (dhan-v2-api.md §1.5). IST has no daylight
 * saving, so the conversion to Unix time is the civil date's day count
 * (Howard Hinnant's days_from_civil, proleptic Gregorian) minus 5:30; no
 * time zone database and no mktime/TZ games.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"

#define IST_OFFSET_S (5 * 3600 + 30 * 60)

/* Days from 1970-01-01 to y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  int64_t era, yoe, doy;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int month_days(int64_t y, int m) {
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Exactly `n` digits at *p into *v; advances *p. */
static bool digits(const char **p, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++, (*p)++) {
    if (!isdigit((unsigned char)**p))
      return false;
    *v = *v * 10 + (**p - '0');
  }
  return true;
}

static bool sep(const char **p, char c) {
  return **p == c ? ((*p)++, true) : false;
}

/* ".ddd...": the milliseconds of a fraction (more digits are cut). */
static bool fraction(const char **p, int *ms) {
  int n = 0;
  *ms = 0;
  if (!sep(p, '.'))
    return true;
  for (; isdigit((unsigned char)**p); (*p)++, n++)
    if (n < 3)
      *ms = *ms * 10 + (**p - '0');
  for (int i = n; i < 3; i++)
    *ms *= 10;
  return n > 0;
}

int ct_dhan_time_parse(const char *s, int64_t *unix_ms) {
  int y, mo, d, h, mi, sec, ms;
  int64_t days, t;
  if (s == NULL || unix_ms == NULL)
    return CT_EINVAL;
  while (isspace((unsigned char)*s))
    s++;
  if (!digits(&s, 4, &y) || !sep(&s, '-') || !digits(&s, 2, &mo) ||
      !sep(&s, '-') || !digits(&s, 2, &d) || !(sep(&s, ' ') || sep(&s, 'T')) ||
      !digits(&s, 2, &h) || !sep(&s, ':') || !digits(&s, 2, &mi) ||
      !sep(&s, ':') || !digits(&s, 2, &sec) || !fraction(&s, &ms))
    return CT_EINVAL;
  while (isspace((unsigned char)*s))
    s++;
  if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
      h > 23 || mi > 59 || sec > 60) /* 60: a leap second, read as :00 */
    return CT_EINVAL;
  days = days_from_civil(y, mo, d);
  t = days * 86400 + h * 3600 + mi * 60 + sec - IST_OFFSET_S;
  *unix_ms = t * 1000 + ms;
  return 0;
}
