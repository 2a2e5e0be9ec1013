/* The lifetime figures of one engine as JSON, for `lifetime --json` and `compare --json`. */
#include "lifetime.h"

#include <cjson/cJSON.h>
#include <math.h>

static void add_years(cJSON *o, const char *name, double years) {
    if (isinf(years))
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, years);
}

cJSON *lifetime_figures_json(const lifetime_figures *f) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    const scenario_result *r = &f->run;
    cJSON_AddStringToObject(o, "engine", f->engine);
    cJSON_AddStringToObject(o, "verdict", run_verdict_name(r->verdict));
    if (r->message[0]) cJSON_AddStringToObject(o, "message", r->message);
    cJSON_AddNumberToObject(o, "hours", f->hours);
    cJSON_AddNumberToObject(o, "passes", (double)f->passes);
    cJSON_AddNumberToObject(o, "pass_hours", f->pass_hours);
    cJSON_AddNumberToObject(o, "max_hours", f->max_hours);
    cJSON_AddStringToObject(o, "ended", lifetime_end_name(f->end));
    cJSON_AddNumberToObject(o, "window_hours", f->window_hours);
    cJSON_AddBoolToObject(o, "steady", f->steady);
    cJSON_AddNumberToObject(o, "rate_deviation_percent", f->rate_deviation);
    cJSON_AddNumberToObject(o, "sectors", f->sectors);
    cJSON_AddNumberToObject(o, "erases_per_hour", f->erases_per_hour);
    cJSON_AddNumberToObject(o, "sector_erases_per_hour", f->sector_erases_per_hour);
    cJSON_AddNumberToObject(o, "busiest_sector_erases_per_hour", f->busiest_per_hour);
    cJSON_AddNumberToObject(o, "busiest_sector_steady_erases", (double)f->busiest_erases);
    cJSON_AddNumberToObject(o, "wear_spread", f->wear_spread);
    cJSON_AddNumberToObject(o, "program_bytes_per_user_byte", f->program_per_user_byte);
    cJSON_AddNumberToObject(o, "endurance", f->endurance);
    add_years(o, "years", f->years);
    add_years(o, "bound_years", f->bound_years);
    if (!isinf(f->years) && !isinf(f->bound_years) && f->bound_years > 0)
        cJSON_AddNumberToObject(o, "share_of_bound", f->years / f->bound_years);
    cJSON_AddNumberToObject(o, "reads", (double)r->reads);
    cJSON_AddNumberToObject(o, "read_bytes", (double)r->read_bytes);
    cJSON_AddNumberToObject(o, "programs", (double)r->programs);
    cJSON_AddNumberToObject(o, "program_bytes", (double)r->program_bytes);
    cJSON_AddNumberToObject(o, "erases", (double)r->erases);
    cJSON_AddNumberToObject(o, "user_bytes", (double)r->user_bytes);
    cJSON_AddNumberToObject(o, "user_bytes_asked", (double)r->user_bytes_asked);
    cJSON_AddNumberToObject(o, "refused", (double)f->refused);
    cJSON_AddNumberToObject(o, "wear_max", r->wear_max);
    cJSON_AddNumberToObject(o, "wear_min", r->wear_min);
    return o;
}
