(function_item name: (_) @name body: (block) @body) @scope.function
(closure_expression body: (_) @body) @scope.closure
(struct_item name: (_) @name body: (_) @body) @scope.struct
(enum_item name: (_) @name body: (_) @body) @scope.enum
(union_item name: (_) @name body: (_) @body) @scope.struct
(trait_item name: (_) @name body: (_) @body) @scope.trait
(impl_item type: (_) @name body: (_) @body) @scope.impl
(mod_item name: (_) @name body: (_) @body) @scope.module
