# Cases for eval_test.sh, sourced with `e` (an eval case) and `t` (a test
# case) defined by the caller: NAME then the arguments, run from this
# directory. Expected outputs (NAME.out, NAME.rc) come from OPA 0.61
# (regen.sh). `xe`/`xt` mark known differences (engine gaps, each with its
# reason); they are reported as skipped, and as XPASS once they match.

# -- eval: documents and loading
e data_tree            -d fixtures/p1 data
e data_file_root       -d fixtures/p1/data.json data
e data_prefix          -d my.root:fixtures/p1/sub data -f values
e data_hidden_dirs     -d fixtures/loadmix/.hid -d fixtures/loadmix/top.json data
e data_merge_error     -d fixtures/loadmix data
e data_merge_error_pretty -d fixtures/loadmix data -f pretty
e data_twice           -d fixtures/p1/data.json -d fixtures/p1/data.json data
e data_missing         -d fixtures/nope data
e data_bad_doc         -d fixtures/p1/notes.txt data
# -- eval: formats
e json_bindings        -d fixtures/p1 -i fixtures/in.json 'data.a.allow; x := 1'
e json_multi           'x := [1, 2][_]'
e json_undefined       -d fixtures/p1 data.a.nope
e json_escapes         -d fixtures/p1 data.a.msg
e json_sets_keys       'x := {{1, 2}: {3: 4}, [1]: set(), "s": {"b", "a"}}'
e json_numbers         'x := 1.0e3; y := 1.50; z := 12345678901234567890123'
e json_multiline       $'x := 1\ny := [\n  2,\n  3]\n z := x'
e json_with            -d fixtures/p1 'data.a.allow with input as {"x": 1}'
e yaml_input           -d fixtures/p1 -i fixtures/in.yaml data.a.allow
e raw_values           -f raw '"a\nb"; {"x": [1, {"y": 2}]}; 3'
e raw_rows             -f raw 'x := [1, 2][_]; y := {"a": x}'
e raw_false           -f raw 'false'
e values_rows          -f values 'x := [1, 2][_]'
e values_multi         -f values '1; 2'
e bindings_rows        -f bindings 'x := [1, 2][_]'
e bindings_none        -f bindings '1'
e pretty_scalar        -f pretty '"str"'
e pretty_object        -f pretty '{"x": [1, {"y": 2}]}'
e pretty_table_exprs   -f pretty '{"x": [1, {"y": 2}]}; 1'
e pretty_table_vars    -f pretty 'x := [1, 2][_]; y := {"a": x}; x > 0'
e pretty_align         -f pretty 'x := [1, 100, "abcdef", -2.5, "1", true][_]'
e pretty_all_bool      -f pretty 'true; 1 > 0'
e pretty_bool_cols     -f pretty '1; true'
e pretty_wrap          -f pretty 'x := ["hello world foo bar baz qux quux corge grault garply waldo fred plugh", "a b"][_]'
e pretty_wide          -f pretty 'x := "日本語 中文"'
e pretty_undefined     -f pretty 'false; true'
e pretty_false        -f pretty '1 == 2'
# -- eval: exit codes
e fail_undefined       --fail -d fixtures/p1 data.a.nope
e fail_defined         --fail -d fixtures/p1 data.a.s
e fail_defined_flag    --fail-defined -d fixtures/p1 data.a.s
e fail_defined_undef   --fail-defined -d fixtures/p1 data.a.nope
# -- eval: errors
e err_builtin_strict   --strict-builtin-errors '1 / 0'
e err_builtin_pretty   --strict-builtin-errors -f pretty '1 / 0'
e err_builtin_lenient  '1 / 0'
e err_query_parse      'x := '
e err_query_parse_pretty -f pretty $'\tx := 1 +'
e err_module_parse     -d fixtures/parse data.x.p
e err_module_parse_raw -f raw -d fixtures/parse data.x.p
e err_module_parse_one -f pretty -d fixtures/parse/a.rego data.x.p
e err_unsafe           -d fixtures/unsafe data.b.q
e err_unsafe_pretty    -f pretty -d fixtures/unsafe data.b.q
e err_conflict         -d fixtures/conflict data.b.p
e err_conflict_query   -f pretty -d fixtures/conflict 'x := 1; y := data.b.p'
e err_unknown_func     'foo(1)'
e err_undefined_func   'data.x.f(1)'
e err_func_as_ref      -d fixtures/p1 data.a.f

# -- test
t test_plain           fixtures/t1
t test_errors          fixtures/t2
t test_errors_verbose  -v fixtures/t2
t test_skipped         fixtures/t4
t test_json            -f json fixtures/t1 fixtures/t2
t test_run_filter      --run a_test.test_o fixtures/t1
t test_run_anchor      -v --run 'data.a_test.test_ok$' fixtures/t1
t test_kinds           fixtures/t3 --run 'test_(a|val|s|ref)'
t test_print_lines     fixtures/t3 --run multi
t test_load_error      fixtures/parse
t test_compile_error   fixtures/unsafe
t test_missing         fixtures/nope
t test_no_tests        fixtures/p1
