#!/usr/bin/env python3
"""Finds import cycles between the modules of each cimc crate.

Usage:
    scripts/import_cycles.py [--edges] [REPO_ROOT]

For every workspace crate (the `members` of the root Cargo.toml: compiler,
passes, dialects, chip, runtime, quant) and every target of it (src/lib.rs,
src/main.rs, build.rs, src/bin/*, tests/*, benches/*, examples/*), the script
maps each source file to its module path by following the `mod NAME;`
declarations from the target's root (honouring `#[path = "..."]`), and reads
the file's references to other modules of the same crate:

  * every `use` tree (groups, `self`, `as`, globs), whose paths start with
    `crate::`, `super::`, `self::`, a child module or a name the module has
    already imported from inside the crate;
  * every path in code that starts with `crate::`, `super::` or `self::`
    (`crate::ir::op_name(op)`), including in `impl`/`fn` bodies.

A path is resolved to the deepest module that exists; when it then names an
item the module only imports or re-exports (`pub use sim::ArrayId` in lib.rs,
`pub use host::*`), the re-export is followed to the module that defines the
item, so a cycle cannot hide behind a facade. Inline modules
(`mod dispatch { ... }`) belong to their file. Comments and string literals
are ignored.

Each file is a node; a reference from file A to a module in file B is an edge
A -> B, except:

  * references from a module into its own subtree (a parent declaring,
    re-exporting or registering its children: lib.rs `pub use sim::...`,
    `all()` listing each pass's `INFO`, abi.rs `pub use host::*`) are downward
    by construction and are not edges;
  * a file that is only a `#[cfg(test)]` child module (`sim_tests.rs`,
    `mvm/tests.rs`, declared `#[cfg(test)] mod tests;`) may import its parent
    (`use super::*`): test children sit below what they test, so those edges
    are fine and dropped. Their edges to any other module count.

It prints every strongly connected component of more than one file, with the
references that make it, and exits 1; otherwise it prints
"no import cycles in N files" and exits 0. `--edges` also prints every edge.
"""

import os
import re
import sys


def workspace_members(repo):
    """The `members = [...]` of the workspace's Cargo.toml, so a new crate is
    checked without editing this script."""
    with open(os.path.join(repo, "Cargo.toml"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^\[workspace\].*?^members\s*=\s*\[(.*?)\]", text, re.S | re.M)
    if not m:
        sys.exit("import_cycles.py: no [workspace] members in Cargo.toml")
    return re.findall(r'"([^"]+)"', m.group(1))


ITEM_KEYWORDS = {"fn", "struct", "enum", "trait", "type", "const", "static", "union"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TOKEN = re.compile(r"r#[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|::|\S")


def strip(text):
    """Blanks comments and string/char literals, keeping newlines and offsets.

    Returns the blanked text and the (start, end) of each plain string literal.
    """
    out = list(text)
    strings = []
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    def ident_char(c):
        return c.isalnum() or c == "_"

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c in "rb" and (i == 0 or not ident_char(text[i - 1])):
            m = re.match(r'(?:br|r)(#*)"', text[i:])
            if m:
                close = '"' + m.group(1)
                j = text.find(close, i + m.end())
                j = n if j < 0 else j + len(close)
                blank(i, j)
                i = j
            elif text.startswith('b"', i) or text.startswith("b'", i):
                i += 1  # the quote is handled next round
                out[i - 1] = " "
            else:
                i += 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            strings.append((i, j + 1))
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            if i + 1 < n and text[i + 1] == "\\":
                j = text.find("'", i + 2)
                j = n if j < 0 else j
                blank(i, j + 1)
                i = j + 1
            elif i + 2 < n and text[i + 2] == "'":
                blank(i, i + 3)
                i += 3
            else:
                i += 1
        else:
            i += 1
    return "".join(out), strings


def tokenize(text):
    """(token, line) pairs; a string literal is one token, quotes included."""
    stripped, strings = strip(text)
    line_starts = [0]
    for m in re.finditer("\n", stripped):
        line_starts.append(m.end())
    tokens = []
    line = 0
    for m in TOKEN.finditer(stripped):
        tok = m.group(0)
        if tok.startswith("r#"):
            tok = tok[2:]
        tokens.append((m.start(), tok))
    tokens += [(a, text[a:b]) for a, b in strings]
    tokens.sort()
    out = []
    for pos, tok in tokens:
        while line + 1 < len(line_starts) and line_starts[line + 1] <= pos:
            line += 1
        out.append((tok, line + 1))
    return out


class Module:
    def __init__(self, path, file, parent_file=None, test_only=False):
        self.path = path  # tuple of names from the crate root
        self.file = file
        self.parent_file = parent_file
        self.test_only = test_only
        self.children = set()
        self.defs = set()
        self.bindings = {}  # name -> (module path, segments) of the `use`
        self.globs = []  # (module path, segments) of `use ...::*`


class Crate:
    def __init__(self, name, root):
        self.name = name
        self.root = root
        self.modules = {}  # path -> Module
        self.file_module = {}  # file -> path of its top module
        self.refs = []  # (file, module path, segments, line)
        self.load((), root, None, False)

    # -- reading ------------------------------------------------------------

    def load(self, path, file, parent_file, test_only):
        if file in self.file_module or not os.path.isfile(file):
            return
        self.file_module[file] = path
        self.modules[path] = Module(path, file, parent_file, test_only)
        with open(file, encoding="utf-8") as f:
            tokens = tokenize(f.read())
        self.parse(path, file, tokens)

    def child_dir(self, path, file):
        """The directory a file's `mod x;` children live in."""
        base = os.path.basename(file)
        if base in ("mod.rs", "lib.rs", "main.rs") or path == ():
            return os.path.dirname(file)
        return os.path.join(os.path.dirname(file), base[:-3])

    def parse(self, top, file, tokens):
        stack = [(top, 0)]  # (module path, brace depth its body is at)
        depth = 0
        attrs = []
        i, n = 0, len(tokens)
        in_dir = self.child_dir(top, file)

        def tok(k):
            return tokens[k][0] if k < n else ""

        while i < n:
            t, line = tokens[i]
            cur, base_depth = stack[-1]
            if t == "#" and (tok(i + 1) == "[" or (tok(i + 1) == "!" and tok(i + 2) == "[")):
                j = i + 1 if tok(i + 1) == "[" else i + 2
                level, k = 0, j
                while k < n:
                    if tokens[k][0] == "[":
                        level += 1
                    elif tokens[k][0] == "]":
                        level -= 1
                        if level == 0:
                            break
                    k += 1
                if tok(i + 1) == "[":
                    attrs.append([x[0] for x in tokens[j + 1 : k]])
                i = k + 1
                continue
            if t == "mod" and IDENT.fullmatch(tok(i + 1)) and tok(i + 2) in (";", "{"):
                name = tok(i + 1)
                child = cur + (name,)
                test_only = any(
                    a and a[0] == "cfg" and "test" in a and "not" not in a for a in attrs
                )
                if tok(i + 2) == ";":
                    target = None
                    for a in attrs:
                        if a[:2] == ["path", "="]:
                            target = self.path_attr(file, a)
                    if target is None:
                        sub = os.path.join(in_dir, *cur[len(top) :])
                        target = os.path.join(sub, name + ".rs")
                        if not os.path.isfile(target):
                            target = os.path.join(sub, name, "mod.rs")
                    self.load(child, target, file, test_only)
                    if child in self.modules:
                        self.modules[cur].children.add(name)
                    i += 3
                else:
                    m = Module(child, file, file, test_only)
                    self.modules[child] = m
                    self.modules[cur].children.add(name)
                    depth += 1
                    stack.append((child, depth))
                    i += 3
                attrs = []
                continue
            if t == "use":
                k, leaves = self.parse_use(tokens, i + 1)
                mod = self.modules[cur]
                for segs, alias, glob in leaves:
                    if glob:
                        mod.globs.append((cur, segs))
                    else:
                        if segs and segs[-1] == "self":
                            segs = segs[:-1]
                        if not segs:
                            continue
                        mod.bindings[alias or segs[-1]] = (cur, segs)
                    self.refs.append((file, cur, segs, line))
                i = k + 1
                attrs = []
                continue
            if t in ITEM_KEYWORDS and depth == base_depth:
                k = i + 1
                while tok(k) in ITEM_KEYWORDS or tok(k) in ("unsafe", "async", "extern"):
                    k += 1
                if IDENT.fullmatch(tok(k)):
                    self.modules[cur].defs.add(tok(k))
            if t == "macro_rules" and tok(i + 1) == "!":
                self.modules[cur].defs.add(tok(i + 2))
            if t in ("crate", "super", "self") and tok(i + 1) == "::":
                segs, k = [t], i + 2
                while IDENT.fullmatch(tok(k)):
                    segs.append(tok(k))
                    if tok(k + 1) == "::" and IDENT.fullmatch(tok(k + 2)):
                        k += 2
                    else:
                        break
                self.refs.append((file, cur, segs, line))
                i = k + 1
                continue
            if t == "{":
                depth += 1
            elif t == "}":
                if len(stack) > 1 and depth == stack[-1][1]:
                    stack.pop()
                depth -= 1
            if t in (";", "{", "}"):
                attrs = []
            i += 1

    def path_attr(self, file, attr):
        """The file of `#[path = "x.rs"]`, relative to the declaring file's directory."""
        if len(attr) < 3 or not attr[2].startswith('"'):
            return None
        return os.path.join(os.path.dirname(file), attr[2][1:-1])

    def parse_use(self, tokens, i):
        """Parses a use tree from token i; returns (index of ';', leaves)."""
        leaves = []
        n = len(tokens)

        def tok(k):
            return tokens[k][0] if k < n else ";"

        def tree(k, prefix):
            segs = list(prefix)
            while True:
                t = tok(k)
                if t == "::":
                    k += 1
                elif t == "{":
                    k += 1
                    while tok(k) not in ("}", ";"):
                        k = tree(k, segs)
                        if tok(k) == ",":
                            k += 1
                    return k + 1
                elif t == "*":
                    leaves.append((segs, None, True))
                    return k + 1
                elif IDENT.fullmatch(t):
                    segs.append(t)
                    k += 1
                    if tok(k) == "as":
                        leaves.append((segs, tok(k + 1), False))
                        return k + 2
                    if tok(k) != "::":
                        leaves.append((segs, None, False))
                        return k
                else:
                    return k

        k = tree(i, [])
        while tok(k) != ";":
            k += 1
        return k, leaves

    # -- resolving ----------------------------------------------------------

    def absolute(self, cur, segs, depth=0):
        """(module path, remaining segments) of a path written in module cur."""
        if not segs:
            return None
        first = segs[0]
        if first == "crate":
            return (), list(segs[1:])
        if first == "self":
            return cur, list(segs[1:])
        if first == "super":
            base, k = cur, 0
            while k < len(segs) and segs[k] == "super":
                base, k = base[:-1], k + 1
            return base, list(segs[k:])
        mod = self.modules.get(cur)
        if mod is None:
            return None
        if first in mod.children:
            return cur + (first,), list(segs[1:])
        if first in mod.bindings and depth < 16:
            bcur, bsegs = mod.bindings[first]
            if bsegs == segs and bcur == cur:
                return None
            base = self.absolute(bcur, bsegs, depth + 1)
            if base is None:
                return None
            return base[0], base[1] + list(segs[1:])
        return None  # another crate, std or a prelude name

    def resolve(self, base, rest, depth=0):
        """The module a path (module, remaining names) lands in."""
        rest = list(rest)
        while rest:
            name = rest[0]
            if name == "super":
                base, rest = base[:-1], rest[1:]
                continue
            if base + (name,) in self.modules:
                base, rest = base + (name,), rest[1:]
                continue
            mod = self.modules.get(base)
            if mod is None or depth > 16:
                return base
            if name in mod.defs:
                return base
            if name in mod.bindings:
                target = self.absolute(*mod.bindings[name], depth=depth + 1)
                if target is None:
                    return base
                return self.resolve(target[0], target[1] + rest[1:], depth + 1)
            for gcur, gsegs in mod.globs:
                target = self.absolute(gcur, gsegs, depth + 1)
                if target is None:
                    continue
                gmod = self.resolve(target[0], target[1], depth + 1)
                g = self.modules.get(gmod)
                if g and (name in g.defs or name in g.bindings or name in g.children):
                    return self.resolve(gmod, rest, depth + 1)
            return base
        return base

    def edges(self):
        """{(from file, to file): [(line, path text)]}"""
        edges = {}
        for file, cur, segs, line in self.refs:
            base = self.absolute(cur, segs)
            if base is None:
                continue
            target = self.resolve(*base)
            if target not in self.modules:
                continue
            to = self.modules[target].file
            if to == file:
                continue
            top = self.file_module[file]
            if target[: len(top)] == top:
                continue  # into the file's own subtree: downward
            m = self.modules[top]
            if m.test_only and to == m.parent_file:
                continue  # a test child importing what it tests
            edges.setdefault((file, to), []).append((line, "::".join(segs)))
        return edges


def targets(crate_dir):
    roots = []
    for p in ("src/lib.rs", "src/main.rs", "build.rs"):
        if os.path.isfile(os.path.join(crate_dir, p)):
            roots.append(os.path.join(crate_dir, p))
    for d in ("src/bin", "tests", "benches", "examples"):
        full = os.path.join(crate_dir, d)
        if not os.path.isdir(full):
            continue
        for e in sorted(os.listdir(full)):
            p = os.path.join(full, e)
            if e.endswith(".rs") and os.path.isfile(p):
                roots.append(p)
            elif os.path.isfile(os.path.join(p, "main.rs")):
                roots.append(os.path.join(p, "main.rs"))
    return roots


def sccs(nodes, adj):
    """Tarjan's algorithm, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(adj.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(adj.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def main(argv):
    show_edges = "--edges" in argv
    args = [a for a in argv if not a.startswith("--")]
    repo = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = set()
    cycles = []
    for name in workspace_members(repo):
        for root in targets(os.path.join(repo, name)):
            crate = Crate(name, root)
            files.update(crate.file_module)
            edges = crate.edges()
            adj = {}
            for a, b in edges:
                adj.setdefault(a, set()).add(b)
            if show_edges:
                for (a, b), refs in sorted(edges.items()):
                    print(
                        f"{os.path.relpath(a, repo)} -> {os.path.relpath(b, repo)}: "
                        + ", ".join(f"{line}:{p}" for line, p in refs)
                    )
            for comp in sccs(sorted(crate.file_module), adj):
                if len(comp) > 1:
                    cycles.append((crate, comp, edges))
    for crate, comp, edges in cycles:
        rel = [os.path.relpath(f, repo) for f in comp]
        print(f"import cycle in {os.path.relpath(crate.root, repo)} ({len(comp)} files): " + ", ".join(rel))
        for (a, b), refs in sorted(edges.items()):
            if a in comp and b in comp:
                where = ", ".join(f"{line}:{p}" for line, p in refs[:4])
                more = f" (+{len(refs) - 4})" if len(refs) > 4 else ""
                print(f"  {os.path.relpath(a, repo)} -> {os.path.relpath(b, repo)}  [{where}{more}]")
    if cycles:
        return 1
    print(f"no import cycles in {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
