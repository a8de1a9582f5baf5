/*
 * lib/render.h: the renderers behind tally_renderer(), one per output
 * format, each in its own lib/render_<format>.c.  Each writes one report
 * to fp and returns TALLY_OK, TALLY_ENOMEM or TALLY_EIO (err filled).
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
