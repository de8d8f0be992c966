/*
 * Integration tests of dhansim's per-account rate limits (§17): order APIs
 * 10/s, others 20/s, answered with 429 DH-904; accounts are independent;
 * --no-rate-limit turns them off. A burst is only judged when it finished
 * inside the one-second window, so a slow machine cannot make it flaky.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "sim_client.h"

#define ORDER                                                                  \
  "{\"dhanClientId\":\"%s\",\"transactionType\":\"BUY\","                      \
  "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","                    \
  "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":\"1660\","      \
  "\"quantity\":1,\"price\":300}"

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long post_order(const ct_sim_t *s, const char *tok, const char *id,
                       char *code, size_t cap) {
  char body[512];
  ct_http_resp_t r;
  long st;
  snprintf(body, sizeof(body), ORDER, id);
  assert_int_equal(ct_http(s->url, "POST", "/v2/orders", tok, body, NULL, &r),
                   0);
  st = r.status;
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(r.json, "errorCode");
  snprintf(code, cap, "%s", cJSON_IsString(c) ? c->valuestring : "");
  ct_http_resp_free(&r);
  return st;
}

static void test_order_window(void **state) {
  const char *args[] = { "--account",   "1:tok1", "--account", "2:tok2",
                         "--fill-mode", "none",   NULL };
  ct_sim_t s;
  char code[32];
  long st[11], t0;
  (void)state;
  assert_int_equal(ct_sim_start(&s, args), 0);
  t0 = now_ms();
  for (int i = 0; i < 11; i++)
    st[i] = post_order(&s, "tok1", "1", code, sizeof(code));
  if (now_ms() - t0 < 900) {
    for (int i = 0; i < 10; i++)
      assert_int_equal(st[i], 200);
    assert_int_equal(st[10], 429);
    assert_string_equal(code, "DH-904");
    /* another account is not affected */
    assert_int_equal(post_order(&s, "tok2", "2", code, sizeof(code)), 200);
  } else {
    print_message("burst too slow to judge the 1 s window\n");
  }
  assert_int_equal(ct_sim_stop(&s), 0);
}

static void test_other_window(void **state) {
  const char *args[] = { "--account", "1:tok1", NULL };
  ct_sim_t s;
  ct_http_resp_t r;
  long st[21], t0;
  (void)state;
  assert_int_equal(ct_sim_start(&s, args), 0);
  t0 = now_ms();
  for (int i = 0; i < 21; i++) {
    assert_int_equal(
        ct_http(s.url, "GET", "/v2/fundlimit", "tok1", NULL, NULL, &r), 0);
    st[i] = r.status;
    if (i == 20 && r.status == 429) {
      const cJSON *c = cJSON_GetObjectItemCaseSensitive(r.json, "errorCode");
      assert_string_equal(c->valuestring, "DH-904");
    }
    ct_http_resp_free(&r);
  }
  if (now_ms() - t0 < 900) {
    for (int i = 0; i < 20; i++)
      assert_int_equal(st[i], 200);
    assert_int_equal(st[20], 429);
  }
  assert_int_equal(ct_sim_stop(&s), 0);
}

static void test_no_rate_limit(void **state) {
  const char *args[] = { "--account",   "1:tok1", "--no-rate-limit",
                         "--fill-mode", "none",   NULL };
  ct_sim_t s;
  char code[32];
  (void)state;
  assert_int_equal(ct_sim_start(&s, args), 0);
  for (int i = 0; i < 40; i++)
    assert_int_equal(post_order(&s, "tok1", "1", code, sizeof(code)), 200);
  assert_int_equal(ct_sim_stop(&s), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_order_window),
    cmocka_unit_test(test_other_window),
    cmocka_unit_test(test_no_rate_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
