(function_declaration name: (identifier) @name body: (statement_block) @body) @definition.function
(generator_function_declaration name: (identifier) @name body: (statement_block) @body) @definition.function
(class_declaration name: (_) @name body: (class_body) @body) @definition.class
(method_definition name: (_) @name body: (statement_block) @body) @definition.method

; Top-level const/let/var: a function value is a function (signature up to its body), anything else a
; variable or constant given whole.
(program (lexical_declaration (variable_declarator name: (identifier) @name value: [(function_expression body: (_) @body) (arrow_function body: (_) @body)])) @definition.function)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: [(function_expression body: (_) @body) (arrow_function body: (_) @body)])) @definition.function))
(program (lexical_declaration "const" (variable_declarator name: (identifier) @name value: (_) @value (#not-match? @value "^(function|async|\\(|[A-Za-z_$][A-Za-z0-9_$]*\\s*=>)"))) @definition.constant)
(program (export_statement (lexical_declaration "const" (variable_declarator name: (identifier) @name value: (_) @value (#not-match? @value "^(function|async|\\(|[A-Za-z_$][A-Za-z0-9_$]*\\s*=>)"))) @definition.constant))
(program (lexical_declaration "let" (variable_declarator name: (identifier) @name)) @definition.variable)
(program (variable_declaration (variable_declarator name: (identifier) @name)) @definition.variable)
