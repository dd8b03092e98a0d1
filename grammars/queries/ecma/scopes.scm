(function_declaration name: (identifier) @name body: (statement_block) @body) @scope.function
(generator_function_declaration name: (identifier) @name body: (statement_block) @body) @scope.function
(method_definition name: (_) @name body: (statement_block) @body) @scope.method
(class_declaration name: (_) @name body: (class_body) @body) @scope.class
(class name: (_)? @name body: (class_body) @body) @scope.class

; A function expression or arrow function bound to a name is that function; otherwise it is a closure.
; A one-declarator declaration is the function, so that "const" belongs to it; scopes with the same
; body are merged, keeping the named one.
([(lexical_declaration . (variable_declarator name: (identifier) @name value: [(function_expression body: (_) @body) (arrow_function body: (_) @body) (generator_function body: (_) @body)]) .) (variable_declaration . (variable_declarator name: (identifier) @name value: [(function_expression body: (_) @body) (arrow_function body: (_) @body) (generator_function body: (_) @body)]) .)] @scope.function)
(variable_declarator name: (identifier) @name value: [(function_expression body: (_) @body) (arrow_function body: (_) @body) (generator_function body: (_) @body)]) @scope.function
(expression_statement (assignment_expression left: [(identifier) @name (member_expression property: (_) @name)] right: [(function_expression body: (_) @body) (arrow_function body: (_) @body)])) @scope.function
(pair key: (_) @name value: [(function_expression body: (_) @body) (arrow_function body: (_) @body)]) @scope.method
(function_expression body: (statement_block) @body) @scope.closure
(arrow_function body: (_) @body) @scope.closure
(generator_function body: (statement_block) @body) @scope.closure
