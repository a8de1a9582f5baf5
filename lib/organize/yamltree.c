/*
 * lib/organize/yamltree.c: a YAML document into a small tree (lib/organize/yamltree.h).
 * libyaml 0.2.5 has no nesting limit and accepts duplicate keys and
 * aliases; this is where tally refuses them.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "internal.h"
#include "yamltree.h"

void
ynode_free(struct ynode *y)
{
	size_t i;

	if (y == NULL)
		return;
	for (i = 0; i < y->n; i++)
		ynode_free(y->kids[i]);
	free(y->kids);
	free(y->s);
	free(y);
}

static int
ynode_add(struct ynode *parent, struct ynode *kid)
{
	struct ynode **k;

	if ((parent->n & 15) == 0) {
		k = realloc(parent->kids, (parent->n + 16) * sizeof(*k));
		if (k == NULL)
			return TALLY_ENOMEM;
		parent->kids = k;
	}
	parent->kids[parent->n++] = kid;
	return TALLY_OK;
}

static int
yerr(struct tally_error *err, long line, long col, const char *fmt,
    const char *arg)
{
	return tally_error_set(err, TALLY_EPARSE, line, col, fmt, arg);
}

static int
parse_tree(const char *text, size_t len, int lenient, struct ynode **out,
    struct tally_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct ynode *stack[YAML_TREE_LENIENT_DEPTH + 1], *y, *root = NULL,
	    *top;
	size_t depth = 0, i, maxdepth = lenient ? YAML_TREE_LENIENT_DEPTH :
	    YAML_TREE_MAX_DEPTH;
	int rc = TALLY_OK, ndocs = 0, done = 0, alias;
	long line, col;

	*out = NULL;
	if (!yaml_parser_initialize(&p))
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && rc == TALLY_OK) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = tally_error_set(err, TALLY_EPARSE,
			    (long)p.problem_mark.line + 1,
			    (long)p.problem_mark.column + 1, "%s%s%s",
			    p.problem ? p.problem : "malformed YAML",
			    p.context ? " " : "", p.context ? p.context : "");
			break;
		}
		line = (long)ev.start_mark.line + 1;
		col = (long)ev.start_mark.column + 1;
		y = NULL;
		alias = 0;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1)
				rc = yerr(err, line, col,
				    "more than one YAML document%s", "");
			break;
		case YAML_ALIAS_EVENT:
			if (!lenient) {
				rc = yerr(err, line, col,
				    "anchors and aliases are not allowed%s",
				    "");
				break;
			}
			alias = 1;
			/* FALLTHROUGH */
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (!lenient && ((ev.type == YAML_SCALAR_EVENT ?
			    ev.data.scalar.anchor : ev.type ==
			    YAML_SEQUENCE_START_EVENT ?
			    ev.data.sequence_start.anchor :
			    ev.data.mapping_start.anchor) != NULL)) {
				rc = yerr(err, line, col,
				    "anchors and aliases are not allowed%s", "");
				break;
			}
			if (!lenient && ((ev.type == YAML_SCALAR_EVENT ?
			    ev.data.scalar.tag : ev.type ==
			    YAML_SEQUENCE_START_EVENT ?
			    ev.data.sequence_start.tag :
			    ev.data.mapping_start.tag) != NULL)) {
				rc = yerr(err, line, col,
				    "tags are not allowed%s", "");
				break;
			}
			if ((y = calloc(1, sizeof(*y))) == NULL) {
				rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
				    "out of memory");
				break;
			}
			y->line = line;
			y->col = col;
			if (alias) {
				/* An alias reads as an empty value. */
				y->type = Y_SCALAR;
				if ((y->s = strdup("")) == NULL) {
					free(y);
					rc = tally_error_set(err, TALLY_ENOMEM,
					    0, 0, "out of memory");
					break;
				}
			} else if (ev.type == YAML_SCALAR_EVENT) {
				y->type = Y_SCALAR;
				y->block = ev.data.scalar.style ==
				    YAML_LITERAL_SCALAR_STYLE ||
				    ev.data.scalar.style ==
				    YAML_FOLDED_SCALAR_STYLE;
				if (memchr(ev.data.scalar.value, '\0',
				    ev.data.scalar.length) != NULL) {
					free(y);
					rc = yerr(err, line, col,
					    "NUL character in a value%s", "");
					break;
				}
				y->s = strdup((char *)ev.data.scalar.value);
				if (y->s == NULL) {
					free(y);
					rc = tally_error_set(err, TALLY_ENOMEM,
					    0, 0, "out of memory");
					break;
				}
			} else
				y->type = ev.type == YAML_SEQUENCE_START_EVENT ?
				    Y_SEQ : Y_MAP;
			top = depth > 0 ? stack[depth - 1] : NULL;
			if (top == NULL)
				root = y;
			else {
				/* Keys are scalars and appear once. */
				if (top->type == Y_MAP && top->n % 2 == 0 &&
				    !lenient) {
					if (y->type != Y_SCALAR) {
						ynode_free(y);
						rc = yerr(err, line, col,
						    "a key must be a plain "
						    "string%s", "");
						break;
					}
					for (i = 0; i < top->n; i += 2)
						if (strcmp(top->kids[i]->s,
						    y->s) == 0)
							break;
					if (i < top->n) {
						rc = yerr(err, line, col,
						    "duplicate key '%s'", y->s);
						ynode_free(y);
						break;
					}
				}
				if (ynode_add(top, y) != TALLY_OK) {
					ynode_free(y);
					rc = tally_error_set(err, TALLY_ENOMEM,
					    0, 0, "out of memory");
					break;
				}
			}
			if (y->type != Y_SCALAR) {
				if (depth == maxdepth) {
					rc = yerr(err, line, col,
					    "nesting too deep%s", "");
					break;
				}
				stack[depth++] = y;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc != TALLY_OK) {
		ynode_free(root);
		return rc;
	}
	*out = root;
	return TALLY_OK;
}

int
yaml_tree(const char *text, size_t len, struct ynode **out,
    struct tally_error *err)
{
	return parse_tree(text, len, 0, out, err);
}

int
yaml_tree_lenient(const char *text, size_t len, struct ynode **out,
    struct tally_error *err)
{
	return parse_tree(text, len, 1, out, err);
}
