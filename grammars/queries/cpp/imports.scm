(preproc_include) @import
(translation_unit (using_declaration) @import)
(translation_unit (namespace_alias_definition) @import)
