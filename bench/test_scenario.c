/*
 * Tests for scenario.c, the parser of the benchmark's scenario files:
 * every command and its defaults, repeat blocks (nested), name and
 * key=value handling, the mirrored-action count, errors with the file and
 * line, and every shipped scenario file loading cleanly.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>

#include "scenario.h"

static void test_commands_and_defaults(void **state) {
  (void)state;
  sc_scenario_t sc;
  char err[256] = "";
  const char *text =
      "# a comment\n"
      "rate 20\n"
      "place a type=LIMIT qty=10 price=3000.5 sec=2885   # trailing\n"
      "modify a price=3001 qty=20\n"
      "fill a qty=4\n"
      "cancel a\n"
      "burst 5 side=SELL seg=NSE_FNO product=MARGIN\n"
      "\n"
      "sleep 100\n";
  assert_int_equal(sc_parse(text, "t", &sc, err, sizeof(err)), 0);
  assert_int_equal(sc.n_steps, 7);
  assert_int_equal(sc.steps[0].kind, SC_RATE);
  assert_int_equal(sc.steps[0].n, 20);
  assert_int_equal(sc.steps[1].kind, SC_PLACE);
  assert_string_equal(sc.steps[1].name, "a");
  assert_string_equal(sc.steps[1].order.type, "LIMIT");
  assert_string_equal(sc.steps[1].order.side, "BUY");
  assert_string_equal(sc.steps[1].order.segment, "NSE_EQ");
  assert_string_equal(sc.steps[1].order.security, "2885");
  assert_string_equal(sc.steps[1].order.product, "INTRADAY");
  assert_int_equal(sc.steps[1].order.qty, 10);
  assert_true(sc.steps[1].order.price == 3000.5);
  assert_int_equal(sc.steps[2].kind, SC_MODIFY);
  assert_int_equal(sc.steps[2].set, SC_SET_PRICE | SC_SET_QTY);
  assert_int_equal(sc.steps[3].kind, SC_FILL);
  assert_int_equal(sc.steps[3].order.qty, 4);
  assert_int_equal(sc.steps[4].kind, SC_CANCEL);
  assert_int_equal(sc.steps[5].kind, SC_BURST);
  assert_int_equal(sc.steps[5].n, 5);
  assert_string_equal(sc.steps[5].order.side, "SELL");
  assert_string_equal(sc.steps[5].order.segment, "NSE_FNO");
  assert_int_equal(sc.steps[6].kind, SC_SLEEP);
  assert_int_equal(sc.steps[6].line, 9);
  /* place + modify + cancel + 5 burst places; fills are not mirrored */
  assert_int_equal(sc_mirrored_actions(&sc), 8);
  sc_free(&sc);
}

static void test_repeat_nested(void **state) {
  (void)state;
  sc_scenario_t sc;
  char err[256] = "";
  const char *text =
      "repeat 3\n"
      "  place a\n"
      "  repeat 2\n"
      "    modify a qty=2\n"
      "  end\n"
      "end\n"
      "cancel a\n";
  assert_int_equal(sc_parse(text, "t", &sc, err, sizeof(err)), 0);
  assert_int_equal(sc.n_steps, 3 * (1 + 2) + 1);
  assert_int_equal(sc.steps[0].kind, SC_PLACE);
  assert_int_equal(sc.steps[1].kind, SC_MODIFY);
  assert_int_equal(sc.steps[2].kind, SC_MODIFY);
  assert_int_equal(sc.steps[3].kind, SC_PLACE);
  assert_int_equal(sc.steps[9].kind, SC_CANCEL);
  assert_int_equal(sc_mirrored_actions(&sc), 10);
  sc_free(&sc);
}

static void expect_error(const char *text, const char *want) {
  sc_scenario_t sc;
  char err[256] = "";
  assert_int_equal(sc_parse(text, "s.txt", &sc, err, sizeof(err)), -1);
  assert_non_null(strstr(err, want));
  assert_null(sc.steps);
}

static void test_errors_name_the_line(void **state) {
  (void)state;
  expect_error("rate 5\nplace a qty=0\n", "s.txt:2: '0' is not a whole");
  expect_error("place a colour=red\n", "s.txt:1: unknown key 'colour'");
  expect_error("launch a\n", "s.txt:1: unknown command 'launch'");
  expect_error("modify a\n", "s.txt:1: modify changes nothing");
  expect_error("repeat 2\nplace a\n", "'repeat' without 'end'");
  expect_error("end\n", "s.txt:1: 'end' without 'repeat'");
  expect_error("place a price=abc\n", "'abc' is not a number");
  expect_error("fill a side=SELL\n", "fill takes qty= and price= only");
  expect_error("place\n", "expected an order name");
}

static void test_shipped_scenarios_load(void **state) {
  (void)state;
  static const char *const files[] = { "quick.txt",        "matrix.txt",
                                       "matrix-large.txt", "throughput.txt",
                                       "demo.txt",         "warmup.txt" };
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    char path[1024], err[256] = "";
    sc_scenario_t sc;
    snprintf(path, sizeof(path), "%s/%s", CT_BENCH_SCENARIOS, files[i]);
    int rc = sc_load(path, &sc, err, sizeof(err));
    if (rc != 0)
      print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_true(sc_mirrored_actions(&sc) > 0);
    sc_free(&sc);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_commands_and_defaults),
    cmocka_unit_test(test_repeat_nested),
    cmocka_unit_test(test_errors_name_the_line),
    cmocka_unit_test(test_shipped_scenarios_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
