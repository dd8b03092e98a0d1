(method_declaration name: (identifier) @name body: (block) @body) @scope.method
(constructor_declaration name: (identifier) @name body: (constructor_body) @body) @scope.method
(compact_constructor_declaration name: (identifier) @name body: (block) @body) @scope.method
(lambda_expression body: (_) @body) @scope.closure
(class_declaration name: (identifier) @name body: (class_body) @body) @scope.class
(record_declaration name: (identifier) @name body: (class_body) @body) @scope.class
(interface_declaration name: (identifier) @name body: (interface_body) @body) @scope.interface
(annotation_type_declaration name: (identifier) @name body: (annotation_type_body) @body) @scope.interface
(enum_declaration name: (identifier) @name body: (enum_body) @body) @scope.enum
(object_creation_expression (class_body) @body) @scope.class
