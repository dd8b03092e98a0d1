(interface_body) @block
(enum_body) @block
(object_type) @block
