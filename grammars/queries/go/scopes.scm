(function_declaration name: (identifier) @name body: (block) @body) @scope.function
(method_declaration name: (field_identifier) @name body: (block) @body) @scope.method
(func_literal body: (block) @body) @scope.closure
(type_spec name: (type_identifier) @name type: (struct_type (field_declaration_list) @body)) @scope.struct
(type_spec name: (type_identifier) @name type: (interface_type) @body) @scope.interface
