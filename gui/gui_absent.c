/* `norbench gui` in a build without SDL2 or SDL2_ttf (pkg-config found neither): one clear
 * message and exit 2. `make deps` installs both. */
#include "gui.h"

#include <stdio.h>

int gui_run(const gui_options *options) {
    (void)options;
    fprintf(stderr, "norbench gui: this norbench was built without SDL2 and SDL2_ttf "
                    "(install libsdl2-dev and libsdl2-ttf-dev, or run `make deps`, and build "
                    "again)\n");
    return 2;
}
