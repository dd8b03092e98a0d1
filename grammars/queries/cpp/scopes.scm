; Out-of-class definitions ("void Foo::bar() {}") are methods.
(function_definition
  declarator: [
    (function_declarator declarator: (qualified_identifier) @name)
    (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier) @name))
    (reference_declarator (function_declarator declarator: (qualified_identifier) @name))
  ]
  body: (compound_statement) @body) @scope.method
(function_definition
  declarator: [
    (function_declarator declarator: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name)
    (pointer_declarator declarator: (function_declarator declarator: [(identifier) (field_identifier) (operator_name)] @name))
    (reference_declarator (function_declarator declarator: [(identifier) (field_identifier) (operator_name)] @name))
  ]
  body: (compound_statement) @body) @scope.function
(lambda_expression body: (compound_statement) @body) @scope.closure
(class_specifier name: (_)? @name body: (field_declaration_list) @body) @scope.class
(struct_specifier name: (_)? @name body: (field_declaration_list) @body) @scope.struct
(union_specifier name: (_)? @name body: (field_declaration_list) @body) @scope.struct
(enum_specifier name: (_)? @name body: (enumerator_list) @body) @scope.enum
(namespace_definition name: (_)? @name body: (declaration_list) @body) @scope.namespace
