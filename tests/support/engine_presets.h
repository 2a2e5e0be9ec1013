/* The NOR presets every engine feature is tested on, each with the page range the tests use
 * (equal sectors only: on stm32f4-1m the 128 KiB region). */
#ifndef TESTS_ENGINE_PRESETS_H
#define TESTS_ENGINE_PRESETS_H

#include "engine_fixture.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stddef.h>
#include <stdint.h>

/* Plain data only: Criterion copies parameters into the test process, so no pointers. */
typedef struct ef_preset_case {
    char preset[NOR_NAME_MAX];
    uint32_t pages;
    uint32_t min_sector_size;
} ef_preset_case;

/* Every preset of the NOR model, in preset order. */
extern ef_preset_case ef_preset_cases[];
extern const size_t ef_preset_case_count;

/* Declares a Criterion test run once per preset case; the body sees `const ef_preset_case *pc`. */
#define EF_PRESET_TEST(suite, name)                                                                \
    ParameterizedTestParameters(suite, name) {                                                     \
        return cr_make_param_array(ef_preset_case, ef_preset_cases, ef_preset_case_count);         \
    }                                                                                              \
    ParameterizedTest(const ef_preset_case *pc, suite, name)

/* Opens a fixture for one preset case with the given store kind and cache level. */
void ef_open_preset(engine_fixture *f, const ef_preset_case *pc, ef_kind kind,
                    ef_cache_level cache);

#endif
