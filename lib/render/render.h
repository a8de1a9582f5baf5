/*
 * lib/render/render.h: the renderers behind tally_renderer().  Each one writes
 * one struct tally_report to fp as it goes, and returns TALLY_OK,
 * TALLY_ENOMEM, or TALLY_EIO when fp reports a write error (err says
 * "write error" and keeps errno).  The report is only read.
 */
#ifndef TALLY_RENDER_H
#define TALLY_RENDER_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render/render.h is private to libtally"
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
