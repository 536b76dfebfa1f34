error 'boom'
