/*
 * The documented request shape of every REST call (dhan-v2-api.md §1.2,
 * §3-§12) as one table, and a check of "the request dhansim received"
 * against it through dhansim's request log (GET /admin/requests).
 *
 * For a call, ct_wire_check() finds the newest logged request whose method
 * and path match the call's route and asserts: access-token present;
 * client-id header = the account; Accept: application/json; with a body,
 * Content-Type: application/json; the dhanClientId header where the
 * reference asks for it; exactly the documented query parameters; a body
 * only where one is documented, every key camelCase, documented and of the
 * documented JSON type (integers whole, numbers never strings), every
 * required key present, dhanClientId = the account; 2xx status.
 */
#ifndef CT_TEST_WIRE_H
#define CT_TEST_WIRE_H

#include <cjson/cJSON.h>

#include "api_fx.h"

/* Assert the newest request for `call` in dhansim's log (see above).
 * Returns its body parsed (NULL when it had none), the caller's to
 * cJSON_Delete, for checks of the values. */
cJSON *ct_wire_check(ct_api_fx_t *fx, ct_api_call_t call);

/* Same, and free the body. */
void ct_wire_ok(ct_api_fx_t *fx, ct_api_call_t call);

/* Assert that every call of module `m` went through ct_wire_check() in
 * this process (a test file's last test, so no endpoint is left out). */
void ct_wire_assert_covered(ct_api_module_t m);

#endif /* CT_TEST_WIRE_H */
