/* Text: a monospace TrueType font (a path, or the one fc-match names; none is committed), its
 * printable ASCII glyphs rendered once into white textures and tinted when drawn, so that a
 * frame full of text costs copies, not font rendering. */
#include "gui_app.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The file fontconfig picks for "monospace"; false when fc-match is missing or finds none. */
static bool fc_match(char *path, size_t n) {
    FILE *p = popen("fc-match -f '%{file}' monospace:style=Book 2>/dev/null", "r");
    if (!p) return false;
    size_t got = fread(path, 1, n - 1, p);
    path[got] = 0;
    int status = pclose(p);
    return status == 0 && got > 0;
}

int gui_text_open(gui_text *t, SDL_Renderer *r, const char *path, int px, char *why, size_t n) {
    memset(t, 0, sizeof *t);
    char found[1024];
    if (!path) {
        if (!fc_match(found, sizeof found)) {
            snprintf(why, n,
                     "no monospace font found by fc-match (install fontconfig and "
                     "fonts-dejavu-core, or pass --font FILE.ttf)");
            return 2;
        }
        path = found;
    }
    if (TTF_Init() != 0 || !(t->font = TTF_OpenFont(path, px))) {
        snprintf(why, n, "--font %s: cannot open it as a TrueType font: %s", path, TTF_GetError());
        return 2;
    }
    TTF_SizeText(t->font, "M", &t->advance, NULL);
    t->line = TTF_FontLineSkip(t->font);
    SDL_Color white = {255, 255, 255, 255};
    for (int c = 0; c < 95; c++) {
        char s[2] = {(char)(' ' + c), 0};
        SDL_Surface *surface = TTF_RenderText_Blended(t->font, s, white);
        if (!surface) continue;
        t->glyph[c] = SDL_CreateTextureFromSurface(r, surface);
        SDL_FreeSurface(surface);
    }
    return 0;
}

void gui_text_close(gui_text *t) {
    for (int c = 0; c < 95; c++)
        if (t->glyph[c]) SDL_DestroyTexture(t->glyph[c]);
    if (t->font) TTF_CloseFont(t->font);
    if (TTF_WasInit()) TTF_Quit();
    memset(t, 0, sizeof *t);
}

int gui_text_draw(gui_text *t, SDL_Renderer *r, int x, int y, SDL_Color c, const char *s,
                  int max_chars) {
    for (int i = 0; s[i] && (max_chars <= 0 || i < max_chars); i++, x += t->advance) {
        int g = (unsigned char)s[i] - ' ';
        SDL_Texture *tex = g >= 0 && g < 95 ? t->glyph[g] : t->glyph['?' - ' '];
        if (!tex || s[i] == ' ') continue;
        int w, h;
        SDL_QueryTexture(tex, NULL, NULL, &w, &h);
        SDL_SetTextureColorMod(tex, c.r, c.g, c.b);
        SDL_Rect dst = {x, y, w, h};
        SDL_RenderCopy(r, tex, NULL, &dst);
    }
    return x;
}

int gui_text_printf(gui_text *t, SDL_Renderer *r, int x, int y, SDL_Color c, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return gui_text_draw(t, r, x, y, c, buf, 0);
}
