; Functions and methods.
(source_file (function_declaration name: (identifier) @name body: (block)? @body) @definition.function)
(source_file (method_declaration name: (field_identifier) @name body: (block)? @body) @definition.method)
(source_file (method_declaration receiver: (parameter_list (parameter_declaration type: [(type_identifier) @container (pointer_type (type_identifier) @container) (generic_type type: (type_identifier) @container) (pointer_type (generic_type type: (type_identifier) @container))])) name: (field_identifier) @name) @definition.method)

; A declaration of one spec ("type T struct{...}") is the definition, so its signature starts with the
; keyword; in a group ("type ( ... )", even of one spec) each spec is one.
(source_file (type_declaration . (type_spec name: (type_identifier) @name type: (struct_type (field_declaration_list) @body)) .) @definition.struct (#not-match? @definition.struct "^type\\s*\\("))
(source_file (type_declaration . (type_spec name: (type_identifier) @name type: (interface_type)) .) @definition.interface (#not-match? @definition.interface "^type\\s*\\("))
(source_file (type_declaration . (type_spec name: (type_identifier) @name type: (_) @type) . (#not-match? @type "^(struct|interface)\\s*\\{")) @definition.type (#not-match? @definition.type "^type\\s*\\("))
(source_file (type_declaration . (type_alias name: (type_identifier) @name) .) @definition.type (#not-match? @definition.type "^type\\s*\\("))
(source_file (type_declaration "(" (type_spec name: (type_identifier) @name type: (struct_type (field_declaration_list) @body)) @definition.struct))
(source_file (type_declaration "(" (type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface))
(source_file (type_declaration "(" (type_spec name: (type_identifier) @name type: (_) @type (#not-match? @type "^(struct|interface)\\s*\\{")) @definition.type))
(source_file (type_declaration "(" (type_alias name: (type_identifier) @name) @definition.type))

(source_file (const_declaration . (const_spec name: (identifier) @name) .) @definition.constant (#not-match? @definition.constant "^const\\s*\\("))
(source_file (const_declaration "(" (const_spec name: (identifier) @name) @definition.constant))
(source_file (var_declaration . (var_spec name: (identifier) @name) .) @definition.variable (#not-match? @definition.variable "^var\\s*\\("))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @definition.variable)))
