(interface_declaration name: (_) @name body: (interface_body) @body) @scope.interface
(abstract_class_declaration name: (_) @name body: (class_body) @body) @scope.class
(enum_declaration name: (_) @name body: (enum_body) @body) @scope.enum
(internal_module name: (_) @name body: (statement_block) @body) @scope.namespace
(module name: (_) @name body: (statement_block) @body) @scope.module
