(block) @block
(parenthesized_expression) @block
(argument_list) @block
(parameters) @block
(list) @block
(dictionary) @block
(set) @block
(tuple) @block
