/* The machine's state between two agent calls as bytes (CPU context, RAM, the mailbox, the
 * board's register state, the exception model's, the storage's ECC verdicts), so that a power-cut
 * campaign can branch from a snapshot of a run on the board as it does on the host. The storage
 * device is the caller's: it is restored by its owner, and the CPU's view of it is read again here.
 */
#include "emu_internal.h"
#include "emu_mailbox.h"

#include <string.h>

/* The storage's ECC verdicts (words a cut left that ECC cannot correct) are part of the state. */
static size_t store_ecc_words(const emu *m) {
    return m->store_ecc_bad ? m->store_size / nor_get_config(m->store_dev)->write_unit : 0;
}

size_t emu_state_size(emu *m) {
    return uc_context_size(m->uc) + m->board->ram_size + MBOX_SIZE + m->board->state_size +
           sizeof m->exc + store_ecc_words(m);
}

int emu_state_save(emu *m, void *out) {
    uc_context *ctx = NULL;
    if (uc_context_alloc(m->uc, &ctx) || uc_context_save(m->uc, ctx)) {
        if (ctx) uc_context_free(ctx);
        return -1;
    }
    uint8_t *p = out;
    size_t cpu = uc_context_size(m->uc);
    memcpy(p, ctx, cpu); /* a flat block, restored into this same engine only */
    uc_context_free(ctx);
    p += cpu;
    memcpy(p, m->ram, m->board->ram_size);
    p += m->board->ram_size;
    memcpy(p, m->mailbox, MBOX_SIZE);
    memcpy(p + MBOX_SIZE, m->board_state, m->board->state_size);
    memcpy(p + MBOX_SIZE + m->board->state_size, &m->exc, sizeof m->exc);
    if (m->store_ecc_bad)
        memcpy(p + MBOX_SIZE + m->board->state_size + sizeof m->exc, m->store_ecc_bad,
               store_ecc_words(m));
    return 0;
}

int emu_state_restore(emu *m, const void *in) {
    uc_context *ctx = NULL;
    if (uc_context_alloc(m->uc, &ctx)) return -1;
    const uint8_t *p = in;
    size_t cpu = uc_context_size(m->uc);
    memcpy(ctx, p, cpu);
    uc_err err = uc_context_restore(m->uc, ctx);
    uc_context_free(ctx);
    p += cpu;
    memcpy(m->ram, p, m->board->ram_size);
    emu_ram_rewritten(m);
    p += m->board->ram_size;
    memcpy(m->mailbox, p, MBOX_SIZE);
    memcpy(m->board_state, p + MBOX_SIZE, m->board->state_size);
    memcpy(&m->exc, p + MBOX_SIZE + m->board->state_size, sizeof m->exc);
    emu_storage_reread(m);
    if (m->store_ecc_bad) {
        memcpy(m->store_ecc_bad, p + MBOX_SIZE + m->board->state_size + sizeof m->exc,
               store_ecc_words(m));
        if (memchr(m->store_ecc_bad, 1, store_ecc_words(m))) emu_flash_watch_ecc(m);
    }
    return err ? -1 : 0;
}
