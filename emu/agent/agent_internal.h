/* What the files of the --target adapter share (emu/agent): the adapter's state, the mailbox's
 * words and the one call that sends a command to the agent firmware. */
#ifndef NORBENCH_AGENT_INTERNAL_H
#define NORBENCH_AGENT_INTERNAL_H

#include "emu.h"
#include "emu_mailbox.h"
#include "kv_open_table.h"
#include "kv_store_view.h"

/* Raw handles the host keeps open (agent_raw.c), re-opened on the agent after each reboot. */
enum { RAW_CLOSED, RAW_READ, RAW_READ_WRITE };

typedef struct agent {
    kv_store_reader reader; /* first: kv: the whole-store view's ctx (kv_store_view.h) */
    emu *m;
    nor *dev;
    adapter_config cfg;
    uint32_t kind;      /* MBOX_KIND_* */
    bool answering;     /* idle in the agent's WFI: a command can be sent */
    bool told_arena;    /* the arena's shortage told once (agent_refused) */
    kv_open_table open; /* kv: the scenario's open domains, by the agent's slot */
    /* The scenario's partition table (agent_raw.c), its names, and each partition's handle. */
    nbs_partition parts[MBOX_PART_MAX];
    char names[MBOX_PART_MAX][MBOX_PART_NAME];
    uint32_t part_count;
    uint8_t raw_mode[MBOX_PART_MAX]; /* RAW_* */
} agent;

void agent_put32(uint8_t *mbox, uint32_t offset, uint32_t value);
uint32_t agent_get32(const uint8_t *mbox, uint32_t offset);
/* Sends the command whose arguments are in the mailbox; the agent's status, or NBS_E_IO. */
int agent_call(agent *a, uint32_t command);
/* Tells the user why the board cannot run the scenario (emu_target.refused), "target BOARD: why".
 */
void agent_refused(const char *why);

/* agent_raw.c: the adapter's raw operations, and the table and open handles sent again to an
 * agent just booted. */
extern const adapter_raw_ops agent_raw_ops;
int agent_raw_restore(agent *a);

#endif
