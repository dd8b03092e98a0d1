(compound_statement) @block
(field_declaration_list) @block
(enumerator_list) @block
(initializer_list) @block
(argument_list) @block
(parameter_list) @block
