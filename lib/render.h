/*
 * lib/render.h: the renderers behind tally_renderer(), one file each
 * (render_text.c, render_md.c, render_github.c, render_junit.c,
 * render_ctrf.c, render_html.c).  Private to libtally.
 *
 * Ownership: a renderer borrows the report, the options and fp; it
 * writes to fp and never closes it.
 */
#ifndef TALLY_RENDER_H
#define TALLY_RENDER_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render.h is private to libtally"
#endif

#include <stdio.h>

#include <tally/report.h>

int	tally_render_text(const struct tally_report *,
	    const struct tally_render_opts *, FILE *, struct tally_error *);
int	tally_render_markdown(const struct tally_report *,
	    const struct tally_render_opts *, FILE *, struct tally_error *);
int	tally_render_junit(const struct tally_report *,
	    const struct tally_render_opts *, FILE *, struct tally_error *);
int	tally_render_json(const struct tally_report *,
	    const struct tally_render_opts *, FILE *, struct tally_error *);
int	tally_render_github(const struct tally_report *,
	    const struct tally_render_opts *, FILE *, struct tally_error *);
int	tally_render_html(const struct tally_report *,
	    const struct tally_render_opts *, FILE *, struct tally_error *);

#endif /* TALLY_RENDER_H */
