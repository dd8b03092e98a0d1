(function_declaration name: (identifier) @name body: (block) @body) @scope.function
(method_declaration name: (field_identifier) @name body: (block) @body) @scope.method
; The receiver's type names the method's container; kept apart so odd receivers still match above.
(method_declaration receiver: (parameter_list (parameter_declaration type: [(type_identifier) @container (pointer_type (type_identifier) @container) (generic_type type: (type_identifier) @container) (pointer_type (generic_type type: (type_identifier) @container))])) name: (field_identifier) @name body: (block) @body) @scope.method
(func_literal body: (block) @body) @scope.closure
(type_spec name: (type_identifier) @name type: (struct_type (field_declaration_list) @body)) @scope.struct
(type_spec name: (type_identifier) @name type: (interface_type) @body) @scope.interface
