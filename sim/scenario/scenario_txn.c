/* The "txn" step: "begin", "commit" or "abort" of a map transaction. Stores and removals between
 * a begin and its commit are staged and applied by the commit, all or none (the runner's
 * runner_txn.c); only the commit is an engine call that may take an expectation. */
#include "scenario_internal.h"

static const scenario_name txn_actions[] = {
    {"begin", SCENARIO_TXN_BEGIN}, {"commit", SCENARIO_TXN_COMMIT}, {"abort", SCENARIO_TXN_ABORT}};

bool scenario_parse_txn(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    int action = SCENARIO_TXN_BEGIN;
    bool ok =
        node_name(c, args, "transaction action", txn_actions, NAME_COUNT(txn_actions), &action);
    step->args.txn = (scenario_txn_action)action;
    return ok;
}
