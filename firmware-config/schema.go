package hallconfig

import (
	"reflect"
	"strings"
)

// schemaField walks the file schema (fileConfig) along a key path
// without array indices, e.g. ["services", "prefix"]. It returns the
// field found last (for its hint tag) and the Go type at the end of the
// path, with pointers and slices of tables stepped through.
func schemaField(path []string) (reflect.StructField, reflect.Type, bool) {
	t := reflect.TypeFor[fileConfig]()
	var field reflect.StructField
	for _, part := range path {
		t = tableType(t)
		switch t.Kind() {
		case reflect.Struct:
			f, ok := fieldByKey(t, part)
			if !ok {
				return field, nil, false
			}
			field, t = f, f.Type
		case reflect.Map:
			field, t = reflect.StructField{}, t.Elem()
		default:
			return field, nil, false
		}
	}
	return field, t, true
}

// tableType steps through pointers and slices of tables to the table.
func tableType(t reflect.Type) reflect.Type {
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case t.Kind() == reflect.Slice && derefType(t.Elem()).Kind() == reflect.Struct:
			t = t.Elem()
		default:
			return t
		}
	}
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tomlName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// expected describes, in the file's words, what the key at path must
// hold: "a string such as \"A\"", "true or false", "an array of tables".
func expected(path []string) string {
	f, t, ok := schemaField(path)
	if !ok {
		return ""
	}
	if h := f.Tag.Get("hint"); h != "" {
		return h
	}
	return describeType(t)
}

func describeType(t reflect.Type) string {
	t = derefType(t)
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct:
		return "a table"
	case reflect.Map:
		return "a table of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Slice:
		if derefType(t.Elem()).Kind() == reflect.Struct {
			return "an array of tables"
		}
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	}
	return t.String()
}

// knownKeys returns the keys the deepest known table along path
// accepts, and that table's path. It is used to list the valid keys
// after an unknown one.
func knownKeys(path []string) (table string, keys []string) {
	for n := len(path); n >= 0; n-- {
		_, t, ok := schemaField(path[:n])
		if !ok {
			continue
		}
		t = tableType(t)
		if t.Kind() != reflect.Struct {
			continue
		}
		for i := range t.NumField() {
			keys = append(keys, tomlName(t.Field(i)))
		}
		return keyPath(path[:n]), keys
	}
	return "", nil
}
