/*
 * The one-follower F&O setup shared by the exit-rule tests (it_engine_exits,
 * it_engine_positions): follower "small" with 100,000 of funds, copying at
 * 1x, and the NIFTY 26000 call (security 48210, lot 75) they trade.
 */
#ifndef CT_TEST_FNO_SMALL_H
#define CT_TEST_FNO_SMALL_H

#define WAIT_MS 8000
#define F_SMALL "1000000013"

static const char *const FOLLOWERS =
    "  - name: small\n    client_id: \"" F_SMALL "\"\n    token: tok" F_SMALL
    "\n    sizing: {mode: multiplier, value: 1}\n";

static const char *const SIM_ARGS[] = { "--account",
                                        F_SMALL ":tok" F_SMALL ":100000",
                                        NULL };

/* One lot of the call, LIMIT at px. */
#define OPT(side, px)                                                          \
  "\"transactionType\":\"" side                                                \
  "\",\"exchangeSegment\":\"NSE_FNO\","                                        \
  "\"productType\":\"MARGIN\",\"orderType\":\"LIMIT\",\"validity\":"           \
  "\"DAY\",\"securityId\":\"48210\",\"quantity\":75,\"price\":" #px

#endif /* CT_TEST_FNO_SMALL_H */
