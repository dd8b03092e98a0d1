(function_definition
  declarator: [
    (function_declarator declarator: (_) @name)
    (pointer_declarator declarator: (function_declarator declarator: (_) @name))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name)))
  ]
  body: (compound_statement) @body) @scope.function
(struct_specifier name: (_)? @name body: (field_declaration_list) @body) @scope.struct
(union_specifier name: (_)? @name body: (field_declaration_list) @body) @scope.struct
(enum_specifier name: (_)? @name body: (enumerator_list) @body) @scope.enum
