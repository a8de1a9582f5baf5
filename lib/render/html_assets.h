/*
 * lib/render/html_assets.h: the HTML report's stylesheet and script.  They are
 * kept as lib/render/html/report.css and lib/render/html/report.js and turned into C
 * strings at build time ($(B)/gen/html_assets.c, a Makefile rule).
 */
#ifndef TALLY_HTML_ASSETS_H
#define TALLY_HTML_ASSETS_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render/html_assets.h is private to libtally"
#endif

extern const char tally_html_css[];
extern const char tally_html_js[];

#endif /* TALLY_HTML_ASSETS_H */
