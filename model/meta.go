package model

// MetaString returns a string metadata value of the model's GGUF file (tokenizer.chat_template,
// weft.card.trainer, ...), for the features that choose their prompt format from the model.
func (m *Model) MetaString(key string) (string, bool) {
	if m.file == nil {
		return "", false
	}
	return m.file.String(key)
}
