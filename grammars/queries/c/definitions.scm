(translation_unit (function_definition
  declarator: [
    (function_declarator declarator: (_) @name)
    (pointer_declarator declarator: (function_declarator declarator: (_) @name))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name)))
  ]
  body: (compound_statement) @body) @definition.function)
(translation_unit (declaration
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
  ]) @definition.function)
(translation_unit (declaration
  declarator: [
    (identifier) @name
    (init_declarator declarator: (identifier) @name)
    (init_declarator declarator: (array_declarator declarator: (identifier) @name))
    (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
    (array_declarator declarator: (identifier) @name)
    (pointer_declarator declarator: (identifier) @name)
  ]) @definition.variable)
(translation_unit (struct_specifier name: (_) @name body: (field_declaration_list) @body) @definition.struct)
(translation_unit (declaration type: (struct_specifier name: (_) @name body: (field_declaration_list) @body)) @definition.struct)
(translation_unit (union_specifier name: (_) @name body: (field_declaration_list) @body) @definition.struct)
(translation_unit (enum_specifier name: (_) @name body: (enumerator_list) @body) @definition.enum)
(translation_unit (declaration type: (enum_specifier name: (_) @name body: (enumerator_list) @body)) @definition.enum)
(translation_unit (type_definition type: (_) @type declarator: (_) @name) @definition.type)
(translation_unit (preproc_def name: (identifier) @name) @definition.macro)
(translation_unit (preproc_function_def name: (identifier) @name) @definition.macro)
