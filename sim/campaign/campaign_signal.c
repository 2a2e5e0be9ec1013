/* Stopping a campaign cleanly: SIGINT and SIGTERM set a flag that the parent and its workers
 * (which inherit the handlers) look at between tries; the parent then stops the workers, keeps
 * what they reported and writes the result marked incomplete, from which `--resume` goes on.
 * A second signal restores the default action and ends the process at once. */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include "campaign.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal; /* 0: none; -1: campaign_request_stop */

static void on_stop_signal(int sig) {
    if (stop_signal > 0) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

void campaign_install_stop_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void campaign_request_stop(void) {
    if (!stop_signal) stop_signal = -1;
}

bool campaign_stop_requested(void) {
    return stop_signal != 0;
}

int campaign_stop_signal(void) {
    return stop_signal > 0 ? stop_signal : 0;
}
