import UploadCore
