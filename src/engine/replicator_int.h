/*
 * Private to the replication engine (replicator*.c): the engine object,
 * the per-follower slot shared by the controlling thread and the follower
 * actor, the message types between the actors, and the actor definitions.
 */
#ifndef CT_ENGINE_REPLICATOR_INT_H
#define CT_ENGINE_REPLICATOR_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "copytrader/actor.h"
#include "copytrader/api.h"
#include "copytrader/engine.h"
#include "copytrader/instruments.h"
#include "copytrader/leader_track.h"
#include "copytrader/store.h"

enum {
  CT__ENG_MSG_LEADER = 400, /* bin: ct_leader_state_t */
  CT__ENG_MSG_LPOLL = 401,  /* leader poll timer */
  CT__ENG_MSG_FPOLL = 402   /* follower poll and sweep timer */
};

typedef struct ct__fslot {
  char name[CT_CONFIG_NAME_SIZE];
  char client_id[CT_DHAN_CLIENT_SIZE];
  ct_sizing_rules_t rules;
  bool copy_modifications;
  bool copy_cancellations;
  atomic_bool paused;
  ct_api_account_t *acct;
  ct_actor_t *orders; /* the follower's orders API actor */
  ct_actor_t *actor;  /* the follower actor */
  struct ct_engine *eng;
} ct__fslot_t;

struct ct_engine {
  ct_engine_opts_t opts;
  ct_instruments_t *instr;
  ct_store_t *store;
  bool store_created;
  ct_runtime_t *rt;
  bool started;
  ct_api_account_t *leader_acct;
  ct_actor_t *leader_orders;
  ct_actor_t *leader;
  ct__fslot_t *f;
  size_t n_f;
};

extern const ct_actor_def_t ct__leader_def;   /* arg: ct_engine_t */
extern const ct_actor_def_t ct__follower_def; /* arg: ct__fslot_t */

/* Send one leader state to one follower actor. 0 or what ct_send gives. */
int ct__eng_send_state(ct_actor_t *to, const ct_leader_state_t *st);

#endif /* CT_ENGINE_REPLICATOR_INT_H */
