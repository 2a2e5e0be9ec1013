/* The stats panel's figures as text, which --state-out writes too: seconds for people, and the
 * lifetime projected from the wear so far, shown only once it rests on enough erases. */
#include "gui_app.h"

#include <stdio.h>

void gui_human_time(char *out, size_t n, double s) {
    if (s < 1)
        snprintf(out, n, "%.1f ms", s * 1e3);
    else if (s < 3600)
        snprintf(out, n, "%.2f s", s);
    else if (s < 86400 * 3)
        snprintf(out, n, "%.1f h", s / 3600);
    else if (s < 86400 * 365.25 * 2)
        snprintf(out, n, "%.0f days", s / 86400);
    else
        snprintf(out, n, "%.1f years", s / (86400 * 365.25));
}

void gui_lifetime_text(const gui_view *v, char *out, size_t n) {
    double elapsed = v->stats.time_us / 1e6;
    if (!v->endurance) {
        snprintf(out, n, "no rated endurance on this device");
    } else if (v->erase_max >= v->endurance) {
        snprintf(out, n, "worn: %u erases of %u rated", v->erase_max, v->endurance);
    } else if (v->erase_max < GUI_LIFETIME_MIN_ERASES || elapsed <= 0) {
        snprintf(out, n, "not enough wear yet (max %u erases; %u needed)", v->erase_max,
                 GUI_LIFETIME_MIN_ERASES);
    } else {
        char t[32];
        gui_human_time(t, sizeof t, (v->endurance - v->erase_max) * elapsed / v->erase_max);
        snprintf(out, n, "%s more (max %u of %u erases)", t, v->erase_max, v->endurance);
    }
}
