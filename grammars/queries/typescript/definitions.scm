(interface_declaration name: (_) @name body: (interface_body) @body) @definition.interface
(abstract_class_declaration name: (_) @name body: (class_body) @body) @definition.class
(enum_declaration name: (_) @name body: (enum_body) @body) @definition.enum
(type_alias_declaration name: (_) @name) @definition.type
(function_signature name: (_) @name) @definition.function
(abstract_method_signature name: (_) @name) @definition.method
(public_field_definition name: (_) @name) @definition.field
(internal_module name: (_) @name body: (statement_block) @body) @definition.namespace
(interface_body (method_signature name: (_) @name) @definition.method)
(interface_body (property_signature name: (_) @name) @definition.field)
