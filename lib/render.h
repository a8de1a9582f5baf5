/*
 * lib/render.h: the renderers behind tally_renderer(), one file each
 * (lib/render_<format>.c).  Private to libtally.
 *
 * Every renderer has the tally_render_fn signature: it writes one report
 * to fp, borrows everything it is given, and fills err on failure.
 */
#ifndef TALLY_RENDER_H
#define TALLY_RENDER_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render.h is private to libtally"
#endif

#include <stdio.h>

#include <tally/error.h>
#include <tally/report.h>

int	tally_render_text(const struct tally_report *rep,
	    const struct tally_render_opts *opts, FILE *fp,
	    struct tally_error *err);
int	tally_render_markdown(const struct tally_report *rep,
	    const struct tally_render_opts *opts, FILE *fp,
	    struct tally_error *err);
int	tally_render_junit(const struct tally_report *rep,
	    const struct tally_render_opts *opts, FILE *fp,
	    struct tally_error *err);
int	tally_render_json(const struct tally_report *rep,
	    const struct tally_render_opts *opts, FILE *fp,
	    struct tally_error *err);
int	tally_render_github(const struct tally_report *rep,
	    const struct tally_render_opts *opts, FILE *fp,
	    struct tally_error *err);
int	tally_render_html(const struct tally_report *rep,
	    const struct tally_render_opts *opts, FILE *fp,
	    struct tally_error *err);

#endif /* TALLY_RENDER_H */
