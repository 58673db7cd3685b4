package hallconfig

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is where one key, table header or array element sits in the
// file. path is the indexed key path used in error messages
// ("counters[2].services[1]").
type position struct {
	path     string
	line     int
	keyCol   int // column of the key (or of the element, for array elements)
	valueCol int // column of the value; 0 when unknown
}

// positions maps the key paths of a document to their lines. go-toml
// reports lines for syntax and type errors; for everything we find
// ourselves after decoding (a bad prefix, an unknown service id) this is
// how the error gets its line.
type positions struct {
	list       []position
	byPath     map[string]int // index into list
	lineStarts []int          // byte offset of each line's start
}

// scanPositions walks the document with go-toml's parser and records
// every key. It stops quietly at a syntax error: the decoder reports it.
func scanPositions(doc []byte) *positions {
	ps := &positions{byPath: map[string]int{}, lineStarts: []int{0}}
	for i, b := range doc {
		if b == '\n' {
			ps.lineStarts = append(ps.lineStarts, i+1)
		}
	}
	var p unstable.Parser
	p.Reset(doc)
	arrays := map[string]int{} // indexed path of an array of tables → its length so far
	current := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, first := keyParts(e.Key())
			path := ""
			for i, part := range parts {
				path = join(path, part)
				if e.Kind == unstable.ArrayTable && i == len(parts)-1 {
					arrays[path]++
					if arrays[path] == 1 && first != nil {
						ps.add(path, first.Raw, unstable.Range{}) // "services" is where the first [[services]] is
					}
				}
				if n := arrays[path]; n > 0 {
					path += "[" + strconv.Itoa(n-1) + "]"
				}
			}
			current = path
			if first != nil {
				ps.add(path, first.Raw, unstable.Range{})
			}
		case unstable.KeyValue:
			ps.keyValue(current, e, 0)
		}
	}
	return ps
}

func (ps *positions) keyValue(table string, kv *unstable.Node, depth int) {
	parts, first := keyParts(kv.Key())
	path := table
	for _, part := range parts {
		path = join(path, part)
	}
	if first == nil {
		return
	}
	v := kv.Value()
	ps.add(path, first.Raw, v.Raw)
	ps.value(path, v, first.Raw, depth)
}

// maxDepth bounds the nesting of arrays and inline tables recorded: the
// schema nests two deep, and a hostile file nesting thousands deep must
// not cost quadratic memory in key paths.
const maxDepth = 8

// value records the elements of arrays and the keys of inline tables.
func (ps *positions) value(path string, v *unstable.Node, fallback unstable.Range, depth int) {
	if depth >= maxDepth {
		return
	}
	switch v.Kind {
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			el := it.Node()
			elPath := path + "[" + strconv.Itoa(i) + "]"
			r := el.Raw
			if r.Length == 0 {
				r = fallback
			}
			ps.add(elPath, r, unstable.Range{})
			ps.value(elPath, el, r, depth+1)
		}
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				ps.keyValue(path, kv, depth+1)
			}
		}
	}
}

func (ps *positions) add(path string, key, value unstable.Range) {
	pos := position{path: path}
	if key.Length > 0 {
		pos.line, pos.keyCol = ps.lineCol(int(key.Offset))
	}
	if value.Length > 0 {
		_, pos.valueCol = ps.lineCol(int(value.Offset))
	}
	if _, dup := ps.byPath[path]; !dup {
		ps.byPath[path] = len(ps.list)
	}
	ps.list = append(ps.list, pos)
}

// lineCol returns the 1-based line and byte column of an offset, as
// go-toml counts them. (Parser.Shape scans from the start of the document
// each time, which made a 20 kB file take milliseconds.)
func (ps *positions) lineCol(offset int) (line, col int) {
	i := sort.SearchInts(ps.lineStarts, offset+1) - 1
	return i + 1, offset - ps.lineStarts[i] + 1
}

// keyParts returns the parts of a dotted key and its first key node.
func keyParts(it unstable.Iterator) ([]string, *unstable.Node) {
	var parts []string
	var first *unstable.Node
	for it.Next() {
		n := it.Node()
		if first == nil {
			first = n
		}
		parts = append(parts, string(n.Data))
	}
	return parts, first
}

// join appends a key to a path, quoting it if it is not a bare key
// (case types in [cases.limits."petition.review"] have dots).
func join(path, key string) string {
	if path == "" {
		return quoteKey(key)
	}
	return path + "." + quoteKey(key)
}

// keyPath joins the parts of a key as the file writes them.
func keyPath(parts []string) string {
	path := ""
	for _, p := range parts {
		path = join(path, p)
	}
	return path
}

// lastDot returns the index of the last dot of path outside quoted
// keys, or -1.
func lastDot(path string) int {
	last, quoted := -1, false
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case quoted && c == '\\':
			i++ // skip the escaped character
		case c == '"':
			quoted = !quoted
		case c == '.' && !quoted:
			last = i
		}
	}
	return last
}

// lookup returns where field is, or where the nearest enclosing table or
// array element is when the field itself is absent from the file (a
// missing key is best shown at its [[services]] header).
func (ps *positions) lookup(field string) (line, col int) {
	for field != "" {
		if i, ok := ps.byPath[field]; ok {
			return ps.list[i].line, ps.list[i].keyCol
		}
		field = parent(field)
	}
	return 0, 0
}

// parent strips the last key or index of a path.
func parent(field string) string {
	if strings.HasSuffix(field, "]") {
		if i := strings.LastIndexByte(field, '['); i >= 0 {
			return field[:i]
		}
	}
	if i := lastDot(field); i >= 0 {
		return field[:i]
	}
	return ""
}

// find turns a position and an unindexed key reported by go-toml into
// the indexed path we recorded there: go-toml's keys carry no array
// indices ("services.prefix"), and inside inline tables they leave out
// the array's own key.
func (ps *positions) find(line, col int, key []string) string {
	want := keyPath(key)
	last := ""
	if len(key) > 0 {
		last = quoteKey(key[len(key)-1])
	}
	var sameLine []position
	for _, p := range ps.list {
		if p.line == line {
			sameLine = append(sameLine, p)
		}
	}
	for _, p := range sameLine {
		if (p.keyCol == col || p.valueCol == col) && lastKey(p.path) == last {
			return p.path
		}
	}
	for _, p := range sameLine {
		if stripIndices(p.path) == want {
			return p.path
		}
	}
	for _, p := range sameLine {
		if lastKey(p.path) == last {
			return p.path
		}
	}
	return want
}

func lastKey(path string) string {
	path = stripIndices(path)
	if i := lastDot(path); i >= 0 {
		return path[i+1:]
	}
	return path
}

// stripIndices turns "counters[2].services[1]" into "counters.services";
// brackets inside quoted keys stay.
func stripIndices(path string) string {
	var b strings.Builder
	skip, quoted, escaped := false, false, false
	for _, r := range path {
		switch {
		case escaped:
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"' && !skip:
			quoted = !quoted
		case r == '[' && !quoted:
			skip = true
			continue
		case r == ']' && !quoted:
			skip = false
			continue
		}
		if !skip {
			b.WriteRune(r)
		}
	}
	return b.String()
}
