/*
 * lib/jsonline.h: one JSON text (a line of the record stream) parsed in
 * a single pass into a flat array of nodes, with its strings decoded
 * into one buffer: no tree of allocations per value.  It accepts and
 * refuses exactly what tally_json_parse() does (cJSON's syntax and the
 * hostile-input checks), with the same messages and positions.
 *
 * Nodes are in document order.  A container's members or elements
 * follow it; node[i].end is one past its subtree, so the next sibling
 * of node i is node[i].end.  Values nested more than TALLY_JLINE_KEEP
 * levels below the root are checked but not kept: a container at that
 * level has n == 0.
 *
 * Ownership: a struct tally_jline owns its nodes and strings; they are
 * valid until the next tally_jline_parse() or tally_jline_free().
 */
#ifndef TALLY_JSONLINE_H
#define TALLY_JSONLINE_H

#ifndef TALLY_BUILDING_LIB
#error "lib/jsonline.h is private to libtally"
#endif

#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

/* Levels below the root whose values are kept as nodes. */
#define TALLY_JLINE_KEEP	3

enum tally_jtype {
	TALLY_JNULL,
	TALLY_JFALSE,
	TALLY_JTRUE,
	TALLY_JNUMBER,
	TALLY_JSTRING,
	TALLY_JARRAY,
	TALLY_JOBJECT
};

struct tally_jnode {
	const char	*key;	/* member name, NULL for an element */
	const char	*str;	/* TALLY_JSTRING: the decoded string */
	double		 num;	/* TALLY_JNUMBER */
	uint32_t	 end;	/* one past the subtree */
	uint32_t	 n;	/* members or elements kept */
	unsigned char	 type;	/* enum tally_jtype */
};

struct jkey;

struct tally_jline {
	struct tally_jnode	*node;
	size_t			 nnode, capnode;
	char			*str;	/* decoded strings, NUL-terminated */
	size_t			 nstr, capstr;
	struct jkey		*key;	/* names of the open objects */
	size_t			 nkey, capkey;
	uint32_t		*tab;	/* scratch for duplicate names */
	size_t			 captab;
};

/*
 * The run of number characters at s (at most lim bytes), as cJSON's
 * parse_number() takes it: its length; *plain is set when it is a plain
 * integer of up to 15 digits, exact in a double, and *out is then its
 * value (strtod() is left for the rest).  Shared by tally_jline_parse()
 * and the stream reader's fast path.
 */
static inline size_t
tally_jnum_run(const unsigned char *s, size_t lim, int *plain, double *out)
{
	size_t n = 0, i;
	int neg = lim > 0 && *s == '-', digits = 1;
	unsigned long long u = 0;

	for (; n < lim && ((s[n] >= '0' && s[n] <= '9') || s[n] == '+' ||
	    s[n] == '-' || s[n] == 'e' || s[n] == 'E' || s[n] == '.'); n++)
		if (s[n] < '0' || s[n] > '9')
			digits = digits && n == 0 && neg;
	*plain = digits && n > (size_t)neg && n - (size_t)neg <= 15;
	if (*plain) {
		for (i = (size_t)neg; i < n; i++)
			u = u * 10 + (unsigned)(s[i] - '0');
		*out = neg ? -(double)u : (double)u;
	}
	return n;
}

/*
 * Append a node (key, type, the rest empty; end just past it) to jl:
 * its index, or (size_t)-1 when there is no memory.  Shared by
 * tally_jline_parse() and the stream reader's fast path.
 */
static inline size_t
tally_jline_push(struct tally_jline *jl, const char *key, unsigned char type)
{
	struct tally_jnode *x;

	if (jl->nnode == jl->capnode) {
		size_t n = jl->capnode ? jl->capnode * 2 : 64;

		if (n >= UINT32_MAX || (x = realloc(jl->node, n *
		    sizeof(*x))) == NULL)
			return (size_t)-1;
		jl->node = x;
		jl->capnode = n;
	}
	x = &jl->node[jl->nnode];
	x->key = key;
	x->str = NULL;
	x->num = 0;
	x->n = 0;
	x->type = type;
	x->end = (uint32_t)++jl->nnode;
	return jl->nnode - 1;
}

/* An empty parser, as a zeroed struct is. */
void	tally_jline_init(struct tally_jline *jl);
void	tally_jline_free(struct tally_jline *jl);

/*
 * Parse buf (len bytes with a NUL at buf[len]) as tally_json_parse()
 * would: TALLY_OK with jl->node[0] the root, else TALLY_EPARSE or
 * TALLY_ENOMEM with err set (line counted from first_line).
 */
int	tally_jline_parse(struct tally_jline *jl, const char *buf, size_t len,
	    long first_line, struct tally_error *err);

#endif /* TALLY_JSONLINE_H */
